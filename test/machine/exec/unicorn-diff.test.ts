// Differential test of the executor against Unicorn (QEMU's CPU): instruction cases generated from the isa table
// (every decodable form, in real mode, 32-bit flat protected mode and 64-bit mode where the form is valid), each
// run from random registers and flags with its memory operands in a data window, on both emulators. Compared:
// general registers, RIP, the flags the SDM defines for the operation (and the undefined ones, where we follow QEMU),
// segment selectors, memory writes in the window, port I/O, and the exception vector raised.
// UNICORN_DIFF_SEED=N draws other random cases (the default seed keeps CI reproducible).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { forms } from '../../../isa/table';
import type { InstructionForm } from '../../../isa/schema';
import { decodeInstruction, newDecoded } from '../../../isa/decoder';
import { operationFlagMasks } from '../../../isa/docs';
import { Machine } from '../../../machine/machine';
import { X86Executor, operationHandlers, unimplementedOperations } from '../../../machine/exec';
import { ATTR_ACCESSED, ATTR_CODE, ATTR_DB, ATTR_G, ATTR_L, ATTR_P, ATTR_RW, ATTR_S } from '../../../machine/cpu/segment';
import type { Cpu } from '../../../machine/cpu/cpu';
import { PYTHON, requireOracle, unicornAvailable } from '../oracle';
import { seededRandom as rng } from '../../seeded-random';

type Mode = 16 | 32 | 64;
const CODE = 0x1000;
const DATA = 0x7000;
const DATA_LEN = 0x2000;
const CASES_PER_FORM = 5;

/** Operations that need more machine than a flat sandbox gives (descriptor tables, devices, MSR/CPUID models,
 *  interrupt delivery) or whose result is machine-specific (TSC): covered by the QEMU example tests instead. */
const NOT_IN_SANDBOX = new Set([
  'hlt', 'int', 'int3', 'into', 'int1', 'lgdt', 'lidt', 'sgdt', 'sidt', 'lmsw', 'smsw',
  'clts', 'mov_cr', 'mov_dr', 'invlpg', 'invpcid', 'wbinvd', 'invd', 'wbnoinvd', 'rdmsr', 'wrmsr', 'rdtsc', 'rdtscp',
  'rdpmc', 'cpuid', 'swapgs', 'syscall', 'sysret', 'sysenter', 'sysexit', 'lar', 'lsl', 'verr', 'verw', 'xgetbv',
  'xsetbv', 'monitor', 'mwait', 'clac', 'stac', 'sldt', 'str', 'lldt', 'ltr', 'rsm', 'rdpkru', 'wrpkru', 'rdrand',
  'rdseed', 'rdpid', 'fninit', 'fnclex', 'fnstsw', 'fnstcw', 'finit', 'fclex', 'fstsw', 'fstcw', 'fldcw', 'fwait',
  'emms', 'fxsave', 'fxsave64', 'fxrstor', 'fxrstor64', 'ldmxcsr', 'stmxcsr', 'xsave', 'xsave64', 'xrstor',
  'xrstor64', 'xsaveopt', 'xsavec', 'xsaves', 'xrstors', 'iret', 'serialize',
  // Unicorn's Haswell model lacks these; both sides would only agree on #UD by accident.
  'wrfsbase', 'wrgsbase', 'rdfsbase', 'rdgsbase', 'clflushopt', 'clwb', 'endbr64', 'endbr32', 'crc32',
  // Unicorn 2.0.1 raises #UD for these whatever CPU model is selected (checked with Haswell, Skylake, EPYC);
  // LZCNT/TZCNT then run as BSR/BSF there.
  'popcnt', 'movbe', 'lzcnt', 'tzcnt',
  // No RTM/VMX/SVM in our CPUID model (#UD); x87 arithmetic is not emulated (#UD naming the gap).
  'xend', 'xtest', 'xabort', 'vmcall', 'vmlaunch', 'vmresume', 'vmxoff', 'vmmcall', 'x87',
]);
/** Segment loads and far transfers need a GDT outside real mode: tested in real mode only. */
const REAL_MODE_ONLY = new Set(['jmp_far', 'call_far', 'jmp_far_indirect', 'call_far_indirect', 'lret', 'pop_sreg', 'les', 'lds', 'lss', 'lfs', 'lgs', 'mov_sreg_load']);
const STRING_OPS = new Set(['movs', 'cmps', 'scas', 'lods', 'stos', 'xlat']);


interface Case {
  mode: Mode;
  form: InstructionForm;
  code: number[];
  regs: bigint[];
  flags: number;
  segs: number[] | null;
}

const hex64 = (v: bigint): string => (v & 0xffffffffffffffffn).toString(16);

/** Builds one instruction of `form` in `mode` with random operands, and the register state it needs. */
function makeCase(form: InstructionForm, mode: Mode, size: number, r: () => number): Case | null {
  const rand = (n: number): number => Math.floor(r() * n);
  const rand32 = (): bigint => BigInt(rand(0x10000)) << 16n | BigInt(rand(0x10000));
  const regs: bigint[] = [];
  for (let i = 0; i < (mode === 64 ? 16 : 8); i++) regs.push(mode === 64 ? (rand32() << 32n) | rand32() : rand32());
  // Small random values are more interesting for some registers (shift counts, zero results, carries).
  for (let i = 0; i < regs.length; i++) if (rand(5) === 0) regs[i] = BigInt([0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff][rand(8)]);
  const code: number[] = [];
  const op = form.op;
  // Operand-size prefix / REX.W for the wanted size.
  let rex = 0;
  const implied = form.impliedSize;
  const s = implied ?? size;
  if (form.mandatoryPrefix) code.push(form.mandatoryPrefix);
  if (form.osz !== 'none' && s) {
    if (form.osz === 'd64' && mode === 64) {
      if (s === 16) code.unshift(0x66);
      else if (s !== 64) return null;
    } else if (s === 64) rex |= 8;
    else if ((s === 16) !== (mode === 16) && s !== 8) code.unshift(0x66);
  } else if (implied !== undefined) {
    if (implied === 64) rex |= 8;
    else if ((implied === 16) !== (mode === 16)) code.unshift(0x66);
  }
  if (form.rexW) rex |= 8;
  if (form.osz === 'none' && s === 64 && mode === 64) rex |= 8;
  if (form.osz === 'none' && s && s !== 64 && s !== 8 && (s === 16) !== (mode === 16) && !form.sizes.every((x) => x === s)) code.unshift(0x66);
  // Random REX.R/B to reach r8-r15 (X unused). Not REX.R with a /digit opcode: hardware ignores it there, QEMU
  // 5 folds it into the digit (#UD). Not any REX on LAHF/SAHF: QEMU then moves SPL instead of AH.
  if (mode === 64 && rand(3) === 0 && op !== 'lahf' && op !== 'sahf') rex |= 0x40 | (rand(8) & (form.modrm === 'digit' ? 1 : 5));
  const opc = [...form.opcode];
  let modrm = -1;
  const tail: number[] = [];
  let memBase = -1, memIndex = -1;
  let a67 = false, addr16Used = false, ripRel = false;
  let regField = 0;
  if (form.opcodeReg) {
    opc[opc.length - 1] += rand(8);
  }
  const needsMem = form.operands.some((o) => o === 'm' || o === 'mb');
  const needsReg = form.operands.some((o) => o === 'rr' || o === 'rrn' || o === 'rr32' || o === 'rr64');
  if (form.modrm === 'fixed') modrm = form.modrmValue;
  else if (form.modrm !== 'none') {
    regField = form.modrm === 'digit' ? form.modrmValue : rand(8);
    const useMem = needsMem || (!needsReg && rand(2) === 0);
    if (!useMem) modrm = 0xc0 | (regField << 3) | rand(8);
    else {
      // Address size: sometimes flipped with 0x67 (16 <-> 32 in legacy modes, 32-bit addressing in 64-bit mode).
      if (rand(4) === 0) {
        a67 = true;
        code.unshift(0x67);
      }
      const addr16 = mode === 16 ? !a67 : mode === 32 ? a67 : false;
      if (addr16) {
        addr16Used = true;
        const rm = rand(8);
        if (rm >= 4) {
          modrm = 0x80 | (regField << 3) | rm;
          tail.push(...le(0x3c00 + rand(0x100), 2));
        } else {
          modrm = 0x40 | (regField << 3) | rm;
          tail.push((rand(0x80) - 0x40) & 0xff);
        }
      } else {
        const pick = (): number => [0, 1, 2, 3, 6, 7][rand(6)];
        const kind = rand(5);
        if (kind <= 1) {
          const base = pick();
          modrm = (kind === 0 ? 0x40 : 0x80) | (regField << 3) | base;
          tail.push(...(kind === 0 ? [(rand(0x80) - 0x40) & 0xff] : le((rand(0x100) - 0x80) >>> 0, 4)));
          memBase = base | (rex & 1 ? 8 : 0);
        } else if (kind === 2 || kind === 3) {
          // SIB: base + index * scale (+ disp8), or no base with a disp32.
          const base = kind === 2 ? pick() : 5;
          let index = [0, 1, 2, 3, 5, 6, 7][rand(7)];
          while (index === base) index = [0, 1, 2, 3, 5, 6, 7][rand(7)];
          if (mode === 64 && rand(2)) rex |= 0x42;
          modrm = (kind === 2 ? 0x40 : 0x00) | (regField << 3) | 4;
          tail.push((rand(4) << 6) | (index << 3) | base);
          if (kind === 2) tail.push((rand(0x80) - 0x40) & 0xff);
          else tail.push(...le(DATA + 0x800 + rand(0x400), 4));
          memIndex = index | (rex & 2 ? 8 : 0);
          if (kind === 2) memBase = base | (rex & 1 ? 8 : 0);
        } else {
          // mod 00 rm 101: disp32 absolute, RIP-relative in 64-bit mode (patched once the length is known).
          modrm = (regField << 3) | 5;
          if (mode === 64) ripRel = true;
          // QEMU 5 forgets the trailing imm8 of SHLD/SHRD when it forms a RIP-relative address: not compared.
          if (mode === 64 && (op === 'shld' || op === 'shrd') && form.operands[0] === 'i8') return null;
          tail.push(...le(DATA + 0x800 + rand(0x400), 4));
        }
      }
    }
  }
  if (memIndex >= 0 && memIndex === memBase) memIndex = -1; // the base's value wins; keep the sum in the window
  if (addr16Used) {
    for (const g of [3, 5, 6, 7]) regs[g] = (regs[g] & ~0xffffn) | BigInt(0x3c00 + rand(0x200));
  }
  if (memIndex >= 0) regs[memIndex] = BigInt(rand(0x100));
  if (memBase >= 0) regs[memBase] = BigInt(DATA + 0x800 + rand(0x800));
  // Immediates and displacements in operand order (reversed for far pointers).
  const ops = form.immReverse ? [...form.operands].reverse() : form.operands;
  const addrBytes = mode === 64 ? 8 : mode === 32 ? 4 : 2;
  for (const o of ops) {
    switch (o) {
      case 'i': tail.push(...randBytes(s === 8 ? 1 : s === 16 ? 2 : 4, rand)); break;
      case 'is8': case 'i8': tail.push(rand(256)); break;
      case 'i16': tail.push(...randBytes(2, rand)); break;
      case 'i64': case 'i64big': tail.push(...randBytes(8, rand)); break;
      case 'rel8': tail.push(rand(256)); break;
      case 'rel': tail.push(...randBytes(mode === 64 || (mode === 32) !== code.includes(0x66) ? 4 : 2, rand)); break;
      case 'moffs': tail.push(...le(DATA + 0x100 + rand(0x1000), addrBytes)); break;
      case 'fsel': tail.push(...le(rand(0x800), 2)); break;
      case 'foff': tail.push(...randBytes(s === 16 ? 2 : 4, rand)); break;
    }
  }
  const bytes = [...code];
  // LOCK on lockable forms with a memory destination. (Misuse is #UD, but LOCK BTR/BTS/BTC with a register
  // destination aborts Unicorn 2.0.1's code generator, so misuse is not generated.)
  // LOCK NEG is left out too: QEMU 5 computes its flags from the wrong value (unlocked NEG agrees).
  if (form.lock && op !== 'neg' && modrm >= 0 && modrm >> 6 !== 3 && rand(4) === 0) bytes.unshift(0xf0);
  if (rex) bytes.push(rex | 0x40);
  bytes.push(...opc);
  if (modrm >= 0) bytes.push(modrm);
  const tailStart = bytes.length;
  bytes.push(...tail);
  if (ripRel) bytes.splice(tailStart, 4, ...le((DATA + 0x800 + rand(0x400) - (CODE + bytes.length)) >>> 0, 4));
  // Operation-specific register set-up: stack in the window, string pointers, small counts and bit offsets.
  const sp = BigInt(DATA + 0x1000 + rand(0x400)) & ~1n;
  regs[4] = mode === 64 ? sp : (regs[4] & ~0xffffffffn) | sp;
  if (mode === 16) regs[4] = (regs[4] & ~0xffffn) | sp;
  if (STRING_OPS.has(op)) {
    regs[6] = BigInt(DATA + 0x400 + rand(0x400));
    regs[7] = BigInt(DATA + 0xc00 + rand(0x400));
    regs[1] = BigInt(rand(7));
    regs[3] = BigInt(DATA + 0x400 + rand(0x400));
  }
  if (op === 'loop' || op === 'loope' || op === 'loopne' || op === 'jrcxz') if (rand(2)) regs[1] = BigInt(rand(3));
  if (op === 'in' || op === 'out' || op === 'ins' || op === 'outs') {
    // Ports of the test device (0x80-0x8F by immediate, 0x200-0x2FF through DX), away from the machine's devices.
    regs[2] = (regs[2] & ~0xffffn) | BigInt(0x200 + rand(0x100));
    if (form.operands.includes('i8')) bytes[bytes.length - 1] = 0x80 + rand(16);
    if (op === 'ins' || op === 'outs') {
      regs[6] = BigInt(DATA + 0x400 + rand(0x400));
      regs[7] = BigInt(DATA + 0xc00 + rand(0x400));
      regs[1] = BigInt(rand(5));
    }
  }
  if (op === 'enter') regs[5] = BigInt(DATA + 0x1400 + rand(0x200));
  if (op === 'leave') regs[5] = BigInt(DATA + 0x1000 + rand(0x400));
  // QEMU sign-extends RET's imm16 (the SDM releases imm16 bytes, zero-extended): keep it below 0x8000.
  if (op === 'ret' && form.operands.length) bytes[bytes.length - 1] &= 0x7f;
  if ((op === 'shld' || op === 'shrd') && s === 16) {
    // Counts above 16 leave a 16-bit result undefined (SDM): keep them defined.
    regs[1] = (regs[1] & ~0xffn) | BigInt(rand(17));
    if (form.operands[0] === 'i8') bytes[bytes.length - 1] = rand(17);
  }
  if ((op === 'bt' || op === 'bts' || op === 'btr' || op === 'btc') && form.operands[0] === 'r' && modrm >= 0 && modrm >> 6 !== 3) {
    // A register bit offset addresses memory beyond the operand: keep it within the window.
    const g = (regField | (rex & 4 ? 8 : 0));
    if (g !== memBase && g !== memIndex) regs[g] = BigInt.asUintN(64, BigInt(rand(0x400) - 0x200));
  }
  const flags = 0x2 | (rand(0x1000) & 0x8d5) | (rand(4) === 0 ? 0x400 : 0);
  const segs = mode === 16 ? [0, 0, 0, 0, 0, 0] : null;
  return { mode, form, code: bytes, regs, flags, segs };
}

function le(v: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(i < 6 ? Math.floor(v / 2 ** (8 * i)) & 0xff : 0);
  return out;
}
function randBytes(n: number, rand: (n: number) => number): number[] {
  return Array.from({ length: n }, () => rand(256));
}

function testable(f: InstructionForm, mode: Mode): boolean {
  if (f.encodeOnly || NOT_IN_SANDBOX.has(f.op) || !(f.op in operationHandlers)) return false;
  // F6/F7 /1 is TEST on hardware (objdump agrees); Unicorn's QEMU 5 decoder rejects it.
  // Likewise the reserved-NOP hints 0F 18 /4-7 (NOP on hardware, #UD in QEMU 5), and BSWAP r16, whose result the
  // SDM leaves undefined (QEMU swaps all 32 bits; we clear the low word as Intel hardware does).
  if ((f.op === 'test' || f.op === 'nop' || f.op === 'bswap') && f.decodeOnly) return false;
  // Extensions our CPU model lacks raise #UD here (SDM: "#UD if CPUID.(…) = 0"); Unicorn 2.0.1 agrees for all of
  // them but these, which it runs instead: XBEGIN (its model has RTM), WAITPKG and INCSSP (QEMU 5's 0F AE decoder
  // ignores the F2/F3 that selects them and runs the fence/clflush underneath), STGI (SVM without EFER.SVME).
  if (f.op === 'xbegin' || f.op === 'waitpkg' || f.names[0].startsWith('incssp') || f.names[0] === 'stgi') return false;
  if (f.no64 && mode === 64) return false;
  if (f.only64 && mode !== 64) return false;
  if (REAL_MODE_ONLY.has(f.op) && mode !== 16) return false;
  if (f.op === 'mov_sreg' && f.operands[1] === 'sreg' && mode !== 16) return false;
  // ADCX/ADOX in 16-bit code: valid per the SDM (32-bit operands), QEMU 5 raises #UD there.
  if ((f.op === 'adcx' || f.op === 'adox') && mode === 16) return false;
  return true;
}

function buildCases(): Case[] {
  const r = rng(Number(process.env.UNICORN_DIFF_SEED ?? 0x5eed));
  const dec = newDecoded();
  const cases: Case[] = [];
  for (const mode of [16, 32, 64] as Mode[]) {
    for (const f of forms) {
      if (!testable(f, mode)) continue;
      const sizes = f.sizes.length ? f.sizes.filter((s) => s !== 64 || mode === 64) : [0];
      for (const size of sizes) {
        for (let k = 0; k < CASES_PER_FORM; k++) {
          const c = makeCase(f, mode, size, r);
          if (c === null) continue;
          // Keep only byte strings our decoder reads back as this very form (the encoding is derived from it).
          if (!decodeInstruction((i) => (i < c.code.length ? c.code[i] : -1), 0, mode, dec) || dec.form !== f || dec.length !== c.code.length) continue;
          cases.push(c);
        }
      }
    }
  }
  return cases;
}

interface OracleResult {
  regs: string[];
  rip: number;
  flags: number;
  segs: number[];
  vector: number;
  error: string | null;
  mem: [number, number][];
  fetchFault: boolean;
  io: [number, number, number][];
}

const PATTERN = (() => {
  const r = rng(0xda7a);
  return Array.from({ length: DATA_LEN }, () => Math.floor(r() * 256));
})();

function setUp(m: Machine, cpu: Cpu, c: Case, selectors: number[]): void {
  cpu.resetRegisters();
  cpu.lazyOp = 0;
  const code = P | S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED;
  const data = P | S | ATTR_RW | ATTR_ACCESSED;
  if (c.mode === 16) {
    cpu.cr0 = 0x10;
    cpu.efer = 0;
    for (let i = 0; i < 6; i++) cpu.seg[i].set(0, 0, 0xffff, i === 1 ? code : data);
  } else {
    cpu.cr0 = 0x11;
    cpu.efer = c.mode === 64 ? 0x500 : 0;
    for (let i = 0; i < 6; i++) cpu.seg[i].set(selectors[i], 0, 0xffffffff, i === 1 ? code | (c.mode === 64 ? ATTR_L : ATTR_DB) | ATTR_G : data | ATTR_DB | ATTR_G);
  }
  cpu.updateMode();
  cpu.mmu.modeChanged();
  cpu.mmu.flushAll();
  for (let i = 0; i < c.regs.length; i++) {
    cpu.gprLo[i] = Number(c.regs[i] & 0xffffffffn);
    cpu.gprHi[i] = Number((c.regs[i] >> 32n) & 0xffffffffn);
  }
  cpu.setEflags(c.flags);
  cpu.ripLo = CODE;
  cpu.ripHi = 0;
  m.memory.writeBytes(CODE, [...c.code, ...new Array(16).fill(0x90)]);
}
const P = ATTR_P, S = ATTR_S;

test('executor matches Unicorn on table-generated instruction cases in 16/32/64-bit modes', { timeout: 300_000 }, (t) => {
  if (!requireOracle(t, unicornAvailable(), 'python3-unicorn (/usr/bin/python3)')) return;
  const cases = buildCases();
  const req = {
    pattern: Buffer.from(PATTERN).toString('hex'),
    cases: cases.map((c) => ({ mode: c.mode, code: Buffer.from(c.code).toString('hex'), regs: c.regs.map(hex64), flags: c.flags, segs: c.segs })),
  };
  if (process.env.UNICORN_CASES_DUMP) writeFileSync(process.env.UNICORN_CASES_DUMP, JSON.stringify(req));
  const py = spawnSync(PYTHON, [join(__dirname, 'unicorn_cases.py')], { input: JSON.stringify(req), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  assert.equal(py.status, 0, py.stderr);
  const out = JSON.parse(py.stdout) as { selectors: Record<string, number[]>; results: OracleResult[] };
  const machines = new Map<Mode, Machine>();
  const counts: Record<number, { pass: number; fail: number; forms: Set<string> }> = { 16: { pass: 0, fail: 0, forms: new Set() }, 32: { pass: 0, fail: 0, forms: new Set() }, 64: { pass: 0, fail: 0, forms: new Set() } };
  const failures: string[] = [];
  const failedForms = new Map<string, number>();
  const ioLog: [number, number, number][] = [];
  cases.forEach((c, i) => {
    const want = out.results[i];
    let m = machines.get(c.mode);
    if (m === undefined) {
      m = new Machine({ memoryMiB: 4, executor: new X86Executor() });
      const device = {
        portRead: (port: number, size: 1 | 2 | 4): number => (Math.imul(port, 0x9e3779b1) ^ (size * 0x01010101)) & (size === 4 ? 0xffffffff : (1 << (8 * size)) - 1),
        portWrite: (port: number, size: 1 | 2 | 4, value: number): void => void ioLog.push([port, size, value >>> 0]),
      };
      m.io.register(0x80, 16, device);
      m.io.register(0x200, 0x100, device);
      machines.set(c.mode, m);
    }
    const cpu = m.cpus[0];
    m.memory.load(DATA, PATTERN);
    setUp(m, cpu, c, out.selectors[String(c.mode)] ?? [0, 0, 0, 0, 0, 0]);
    let vector = -1;
    let hostError = '';
    ioLog.length = 0;
    try {
      m.executor!.step(cpu);
    } catch (e) {
      if (e === cpu.fault) vector = cpu.fault.vector;
      else hostError = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    const problems: string[] = [];
    if (hostError) problems.push(`host exception ${hostError}`);
    // A near branch beyond the CS limit (real mode 0xFFFF) or to a non-canonical address: the SDM raises #GP(0)
    // at the branch; QEMU takes the branch and faults on the fetch at the target. Counted as a pass.
    const realModeLimit = vector === 13 && want.fetchFault;
    if (realModeLimit) {
      // A 32-bit branch target beyond the real-mode CS limit (0xFFFF): the SDM raises #GP(0); QEMU does not check
      // and fetches from the unmapped target. Counted as a pass: ours follows the SDM.
    } else if (want.error !== null && want.vector < 0) {
      // Unicorn could not run it (unmapped fetch after a branch is fine: count=1 stops before fetching).
      problems.push(`unicorn error ${want.error}`);
    }
    if (vector !== want.vector && !realModeLimit) problems.push(`vector ours ${vector} unicorn ${want.vector}`);
    if (vector < 0 && want.vector < 0 && !realModeLimit) {
      const n = c.mode === 64 ? 16 : 8;
      for (let g = 0; g < n; g++) {
        const ours = (BigInt(cpu.gprHi[g]) << 32n) | BigInt(cpu.gprLo[g]);
        const theirs = BigInt('0x' + want.regs[g]);
        const mask = c.mode === 64 ? 0xffffffffffffffffn : 0xffffffffn;
        if ((ours & mask) !== (theirs & mask)) problems.push(`r${g} ours ${hex64(ours & mask)} unicorn ${hex64(theirs)}`);
      }
      // Real mode: Unicorn reports EIP as the linear PC minus the CS base before the instruction (0), so far
      // transfers are compared by linear address (and the CS selector below).
      // (When the next fetch failed it reports the plain offset.)
      const rip = c.mode === 64 ? cpu.ripHi * 2 ** 32 + cpu.ripLo : c.mode === 16 && !want.fetchFault ? cpu.seg[1].base + cpu.ripLo : cpu.ripLo;
      if (rip !== want.rip) problems.push(`rip ours ${rip.toString(16)} unicorn ${want.rip.toString(16)}`);
      const masks = operationFlagMasks(c.form.op);
      const compared = 0x8d5 | 0x400 | 0x200;
      // Flags the SDM defines for the operation must match. Where it leaves flags undefined (isa/docs), the
      // executor reproduces QEMU's consistent choices (documented at each instruction), so those are compared
      // too and reported apart; UNICORN_DIFF_DEFINED_ONLY=1 compares the defined flags only.
      const defined = compared & ~(masks?.undefined ?? 0);
      const fl = cpu.getEflags();
      if ((fl & defined) !== (want.flags & defined)) problems.push(`flags ours ${(fl & defined).toString(16)} unicorn ${(want.flags & defined).toString(16)} (mask ${defined.toString(16)})`);
      else if (!process.env.UNICORN_DIFF_DEFINED_ONLY && (fl & compared) !== (want.flags & compared)) problems.push(`undefined flags ours ${(fl & compared).toString(16)} unicorn ${(want.flags & compared).toString(16)} (defined ${defined.toString(16)})`);
      for (let sg = 0; sg < 6; sg++) if (c.mode === 16 && cpu.seg[sg].selector !== want.segs[sg]) problems.push(`seg${sg} ours ${cpu.seg[sg].selector.toString(16)} unicorn ${want.segs[sg].toString(16)}`);
      const diffs: [number, number][] = [];
      const mem = m.memory.readBytes(DATA, DATA_LEN);
      for (let k = 0; k < DATA_LEN; k++) if (mem[k] !== PATTERN[k]) diffs.push([k, mem[k]]);
      if (JSON.stringify(ioLog) !== JSON.stringify(want.io)) problems.push(`port writes ours ${JSON.stringify(ioLog)} unicorn ${JSON.stringify(want.io)}`);
      if (JSON.stringify(diffs) !== JSON.stringify(want.mem)) problems.push(`memory ours ${JSON.stringify(diffs.slice(0, 8))} unicorn ${JSON.stringify(want.mem.slice(0, 8))}`);
    }
    const bucket = counts[c.mode];
    bucket.forms.add(c.form.id);
    if (problems.length === 0) bucket.pass++;
    else {
      bucket.fail++;
      const key = `${c.mode}:${c.form.id}`;
      failedForms.set(key, (failedForms.get(key) ?? 0) + 1);
      if (failures.length < 60) failures.push(`[${c.mode}] ${c.form.id} ${Buffer.from(c.code).toString('hex')} flags ${c.flags.toString(16)} regs ${c.regs.slice(0, 8).map(hex64).join(',')}: ${problems.join('; ')}`);
    }
  });
  for (const mode of [16, 32, 64]) {
    const b = counts[mode];
    t.diagnostic(`mode ${mode}: ${b.pass} passed, ${b.fail} failed (${b.forms.size} forms)`);
    console.log(`mode ${mode}: ${b.pass} passed, ${b.fail} failed (${b.forms.size} forms)`);
  }
  // Every operation of the table has stated semantics (absent extensions included), so every form is tested.
  assert.deepEqual(unimplementedOperations(), [], 'operations without semantics');
  if (failures.length) {
    console.log([...failedForms].map(([k, n]) => `${k} x${n}`).join('\n'));
    console.log(failures.join('\n'));
  }
  assert.equal(failures.length, 0, `${failures.length}+ mismatches with Unicorn`);
});
