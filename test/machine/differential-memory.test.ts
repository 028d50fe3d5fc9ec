// Memory, stack and string instructions against Unicorn in 32-bit and 64-bit flat modes (and real mode): loads,
// stores, read-modify-write forms, PUSH/POP/CALL/RET/ENTER/LEAVE, PUSHF/POPF, REP string operations. Registers,
// RIP, defined flags and the touched memory (data window and stack window) must match after the instruction
// (REP forms run to completion on both sides).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../machine/machine';
import { ExecutorUnderTest as BootExecutor } from './executor-under-test';
import { CpuFault } from '../../machine/cpu/fault';
import { decodeInstruction, newDecoded } from '../../isa/decoder';
import { operationFlagMasks } from '../../isa/docs';
import { asAvailable, requireOracle, runPython, unicornAvailable } from './oracle';
import { seededRandom as rng } from '../seeded-random';
import { assembleTemplates, setupFlatMode, UNICORN_PRELUDE } from './register-forms-oracle';


const DATA = 0x10000, DATA_LEN = 0x400, STACK = 0x1f000, STACK_LO = 0x1ef00, STACK_LEN = 0x200, CODE = 0x1000;

function fill(i: number, seed: number): number {
  return (i * 131 + seed * 7 + (i >> 3) * 17) & 0xff;
}

function templates(mode: 16 | 32 | 64): string[] {
  const p = mode === 64 ? 'r' : 'e';
  const s = mode === 64 ? 'q' : mode === 32 ? 'l' : 'w';
  const w = mode === 16 ? 'w' : 'l';
  const A = mode === 16 ? '%ax' : '%eax', C = mode === 16 ? '%cx' : '%ecx';
  const B = mode === 16 ? '%bx' : `%${p}bx`, SI = mode === 16 ? '%si' : `%${p}si`;
  const t = [
    `mov${w} ${A}, 0x10(${B})`, `mov${w} 0x20(${B}), ${C}`, `movb 3(${B}), %al`, `movw %ax, 6(${B})`,
    `add${w} ${A}, (${B},${SI},${mode === 16 ? 1 : 4})`.replace(',1)', ')'), `sub${w} 0x8(${B}), ${A}`, `inc${w} 8(${B})`, `dec${w} 12(${B})`,
    `not${w} (${B})`, `negw 2(${B})`, `xchg${w} ${C}, (${B})`, `shl${w} $3, 4(${B})`, `sar${w} %cl, 8(${B})`, `rol${w} $1, 12(${B})`,
    `cmp${w} ${A}, 0x30(${B})`, `test${w} $0x80, 0x40(${B})`, `and${w} $0x0f0f, 0x18(${B})`, `or${w} ${A}, 0x1c(${B})`,
    `movzbl 5(${B}), %eax`, `movsbl 5(${B}), %eax`, `movzwl 6(${B}), %eax`,
    `push${s} ${mode === 64 ? '%rax' : A}`, `pop${s} ${mode === 64 ? '%rcx' : C}`, `push${s} $0x1234`, `push${s} 4(${B})`, `pop${s} 8(${B})`,
    `pushf${s === 'q' ? 'q' : s}`, `popf${s === 'q' ? 'q' : s}`, 'call 1f\n1:', `leave${mode === 64 ? 'q' : s}`, `enter $16, $0`,
    `cld\n rep movsb`, `cld\n rep movs${w}`, `std\n rep stos${w}`, `cld\n lods${w}`, `cld\n repe cmpsb`, `cld\n repne scasb`,
    `cmpxchg${w} ${C}, (${B})`, `xadd${w} ${C}, 4(${B})`, `bts${w} ${A}, (${B})`, `btr${w} $9, 4(${B})`, `sete 7(${B})`,
    `cmovl${w} 0x14(${B}), ${A}`, 'xlat',
  ];
  if (mode !== 64) t.push(`pusha${s === 'w' ? 'w' : 'l'}`, `popa${s === 'w' ? 'w' : 'l'}`);
  if (mode === 64) t.push('movq %rax, 0x10(%rbx)', 'addq 0x18(%rbx), %rax', 'incq (%rbx,%rsi,8)', 'movq 0x3f0(%rip), %rax', 'cld\n rep movsq', 'lodsq');
  if (mode === 16) return t.filter((x) => !/%e|movz|movs[bw]l|cmov|bt[sr]|xadd|enter|cmpxchg/.test(x));
  return t;
}

const SCRIPT = UNICORN_PRELUDE + String.raw`
def fill(n, base, seed):
    return bytes(((i + base) * 131 + seed * 7 + ((i + base) >> 3) * 17) & 0xff for i in range(n))
for c in inp['cases']:
    mu.context_restore(ctx)
    code = bytes.fromhex(c['code'])
    mu.mem_write(0x1000, code + b'\x90' * 16)
    mu.mem_write(0x10000, fill(0x400, 0, c['seed']))
    mu.mem_write(0x1ef00, fill(0x200, 0x1ef00, c['seed']))
    r = run_case(c, len(code), 100000)
    r['data'] = bytes(mu.mem_read(0x10000, 0x400)).hex()
    r['stack'] = bytes(mu.mem_read(0x1ef00, 0x200)).hex()
    out.append(r)
print(json.dumps(out))
`;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

for (const mode of [16, 32, 64] as const) {
  test(`memory, stack and string instructions in ${mode}-bit mode agree with Unicorn`, (t) => {
    if (!requireOracle(t, unicornAvailable(), 'python3-unicorn')) return;
    if (!requireOracle(t, asAvailable(), 'GNU as')) return;
    const tpl = templates(mode);
    const codes = assembleTemplates(mode, tpl);
    const r = rng(mode * 31337);
    const cases: { code: string; regs: number[]; flags: number; seed: number; tpl: number }[] = [];
    tpl.forEach((_, i) => {
      const code = codes[i];
      for (let k = 0; k < 12; k++) {
        const regs = Array.from({ length: 8 }, () => Math.floor(r() * 2 ** 32) >>> 0);
        regs[1] = Math.floor(r() * 9); // ECX: small counts for REP and shifts
        regs[3] = DATA + Math.floor(r() * 0x40) * 4; // EBX: inside the data window
        regs[4] = STACK - Math.floor(r() * 8) * 4; // ESP
        regs[5] = STACK - 0x40; // EBP
        regs[6] = DATA + 0x100 + Math.floor(r() * 0x40); // ESI
        regs[7] = DATA + 0x200 + Math.floor(r() * 0x40); // EDI
        if (mode === 16) regs[0] &= 0xffff;
        // register bit offsets address memory relative to the operand: keep them near the data window
        if (/^bt\w* %/.test(tpl[i])) regs[0] = (Math.floor(r() * 4096) - 1024) >>> 0;
        const flags = (0x2 | (Math.floor(r() * 0x1000) & 0x8d5)) >>> 0;
        cases.push({ code, regs, flags, seed: Math.floor(r() * 1000), tpl: i });
      }
    });
    const uc = runPython(SCRIPT, { mode, cases }) as {
      regs: number[]; regsHi: number[]; rip: number; flags: number; ints: number[]; data: string; stack: string;
    }[];
    const m = new Machine({ memoryMiB: 4, executor: new BootExecutor() });
    const cpu = m.cpus[0];
    const exec = m.executor!;
    const d = newDecoded();
    const failures: string[] = [];
    let compared = 0;
    cases.forEach((c, ci) => {
      setupFlatMode(m, mode);
      const bytes = Buffer.from(c.code, 'hex');
      m.memory.load(CODE, [...bytes, ...new Array(16).fill(0x90)]);
      m.memory.load(DATA, Array.from({ length: DATA_LEN }, (_, i) => fill(i, c.seed)));
      m.memory.load(STACK_LO, Array.from({ length: STACK_LEN }, (_, i) => fill(i + STACK_LO, c.seed)));
      for (let q = 0; q < 8; q++) {
        cpu.gprLo[q] = c.regs[q];
        cpu.gprHi[q] = 0;
      }
      cpu.setEflags(c.flags);
      cpu.ripLo = CODE;
      cpu.ripHi = 0;
      let vec: number[] = [];
      try {
        for (let n = 0; n < 1000 && cpu.ripLo !== CODE + bytes.length; n++) exec.step(cpu);
      } catch (e) {
        if (!(e instanceof CpuFault)) throw e;
        vec = [e.vector];
      }
      const u = uc[ci];
      let off = 0;
      let undef = 0;
      while (off < bytes.length && decodeInstruction((o) => (o < bytes.length ? bytes[o] : -1), off, mode, d)) {
        undef |= operationFlagMasks(d.form?.op ?? '')?.undefined ?? 0;
        off += d.length;
      }
      const problems: string[] = [];
      if (JSON.stringify(vec) !== JSON.stringify(u.ints)) problems.push(`exceptions ours ${JSON.stringify(vec)} unicorn ${JSON.stringify(u.ints)}`);
      else if (vec.length === 0) {
        for (let q = 0; q < 8; q++) if (cpu.gprLo[q] !== u.regs[q] || cpu.gprHi[q] !== u.regsHi[q]) problems.push(`reg ${q} ours ${cpu.gprHi[q].toString(16)}:${cpu.gprLo[q].toString(16)} unicorn ${u.regsHi[q].toString(16)}:${u.regs[q].toString(16)}`);
        if (cpu.ripLo !== u.rip) problems.push(`rip ours ${cpu.ripLo.toString(16)} unicorn ${u.rip.toString(16)}`);
        const fm = 0x8d5 & ~undef;
        if ((cpu.getEflags() & fm) !== (u.flags & fm)) problems.push(`flags ours ${cpu.getEflags().toString(16)} unicorn ${u.flags.toString(16)}`);
        if (hex(m.memory.readBytes(DATA, DATA_LEN)) !== u.data) problems.push('data window differs');
        if (hex(m.memory.readBytes(STACK_LO, STACK_LEN)) !== u.stack) problems.push('stack window differs');
        compared++;
      }
      if (problems.length) failures.push(`${tpl[c.tpl].replace(/\n/g, ';')} [${mode}] regs=${c.regs.map((x) => x.toString(16)).join(',')}: ${problems.join('; ')}`);
    });
    t.diagnostic(`${mode}-bit: ${tpl.length} forms, ${cases.length} cases, ${compared} compared in full`);
    assert.deepEqual(failures.slice(0, 12), [], `${failures.length} mismatches`);
  });
}
