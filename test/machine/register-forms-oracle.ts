// Runs register-only instruction forms on our CPU and on Unicorn (QEMU's CPU) from the same random register and
// flag states: assembled by GNU as in one batch, one instruction per case. General registers, RIP and the flags
// the SDM defines for the operation (from the isa/ docs: undefined flags are masked) must match, and exceptions
// must agree. Shared by the hand-picked templates (differential.test.ts) and the table-driven ones
// (differential-table.test.ts).
import { Machine } from '../../machine/machine';
import { ExecutorUnderTest as BootExecutor } from './executor-under-test';
import { CpuFault } from '../../machine/cpu/fault';
import { ATTR_ACCESSED, ATTR_CODE, ATTR_DB, ATTR_G, ATTR_L, ATTR_P, ATTR_RW, ATTR_S } from '../../machine/cpu/segment';
import { decodeInstruction, newDecoded } from '../../isa/decoder';
import { operationFlagMasks } from '../../isa/docs';
import { assemble, runPython } from './oracle';
import { seededRandom as rng } from '../seeded-random';

interface CaseIn { code: string; regs: number[]; regsHi: number[]; flags: number }

/**
 * The start of every Unicorn script: one emulator for the mode, memory, interrupts recorded as they stop it, and
 * run_case (registers and flags in, the code at 0x1000 run, registers, RIP, flags and interrupts out).
 */
export const UNICORN_PRELUDE = String.raw`
import json, sys
from unicorn import *
from unicorn.x86_const import *
inp = json.load(sys.stdin)
mode = inp['mode']
R32 = [UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX, UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI]
R64 = [UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX, UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
       UC_X86_REG_R8, UC_X86_REG_R9, UC_X86_REG_R10, UC_X86_REG_R11, UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15]
mu = Uc(UC_ARCH_X86, {16: UC_MODE_16, 32: UC_MODE_32, 64: UC_MODE_64}[mode])
mu.mem_map(0, 0x200000)
seen = []
def on_intr(uc, intno, data):
    seen.append(intno)
    uc.emu_stop()
mu.hook_add(UC_HOOK_INTR, on_intr)
ctx = mu.context_save()
out = []
def run_case(c, code_len, count):
    regs = (R64 if mode == 64 else R32)[:len(c['regs'])]
    for i, r in enumerate(regs):
        hi = c['regsHi'][i] if 'regsHi' in c and mode == 64 else 0
        mu.reg_write(r, c['regs'][i] | (hi << 32))
    mu.reg_write(UC_X86_REG_EFLAGS, c['flags'])
    seen.clear()
    try:
        mu.emu_start(0x1000, 0x1000 + code_len, count=count)
    except UcError as e:
        seen.append(-1)
    vals = [mu.reg_read(r) for r in regs]
    return dict(regs=[v & 0xffffffff for v in vals], regsHi=[(v >> 32) & 0xffffffff for v in vals],
                rip=mu.reg_read(UC_X86_REG_RIP if mode == 64 else UC_X86_REG_EIP), flags=mu.reg_read(UC_X86_REG_EFLAGS), ints=list(seen))
`;

const SCRIPT = UNICORN_PRELUDE + String.raw`
for c in inp['cases']:
    mu.context_restore(ctx)
    code = bytes.fromhex(c['code'])
    mu.mem_write(0x1000, code)
    out.append(run_case(c, len(code), 1))
print(json.dumps(out))
`;

/** Flat segments as Unicorn starts them: real mode with 64 KiB limits, or protected/long mode over 4 GiB. */
export function setupFlatMode(m: Machine, mode: 16 | 32 | 64): void {
  const c = m.cpus[0];
  if (mode === 16) {
    c.cr0 = 0x10;
    c.efer = 0;
    c.seg[1].set(0, 0, 0xffff, ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED);
    for (const s of [0, 2, 3, 4, 5]) c.seg[s].set(0, 0, 0xffff, ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED);
  } else {
    c.cr0 = 0x11;
    c.efer = mode === 64 ? 0x500 : 0; // long mode without paging, as Unicorn's UC_MODE_64 sets it up
    c.seg[1].set(8, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED | ATTR_G | (mode === 64 ? ATTR_L : ATTR_DB));
    for (const s of [0, 2, 3, 4, 5]) c.seg[s].set(0x10, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED | ATTR_G | ATTR_DB);
  }
  c.modeChanged();
}

export interface RegisterFormsResult {
  cases: number;
  /** Cases where neither side raised an exception, so registers and flags were compared. */
  compared: number;
  faults: number;
  failures: string[];
}

/** Each template's bytes (hex), assembled by GNU as in one batch: labels between them, their offsets in a table. */
export function assembleTemplates(mode: 16 | 32 | 64, tpl: string[]): string[] {
  const dir = mode === 16 ? '.code16' : mode === 32 ? '.code32' : '.code64';
  const src = `  .text\n  ${dir}\n` + tpl.map((x, i) => `i${i}: ${x}\n`).join('') + `iend:\n  .code32\n` + tpl.map((_, i) => `  .long i${i}\n`).join('') + '  .long iend\n';
  const img = assemble(src);
  const dv = new DataView(img.buffer, img.byteOffset);
  const tableAt = img.length - (tpl.length + 1) * 4;
  const offs = Array.from({ length: tpl.length + 1 }, (_, i) => dv.getUint32(tableAt + i * 4, true));
  return tpl.map((_, i) => Buffer.from(img.subarray(offs[i], offs[i + 1])).toString('hex'));
}

/** Every template × 24 random states (from `seed`) in `mode`, on both CPUs. */
export function compareRegisterForms(mode: 16 | 32 | 64, tpl: string[], seed: number): RegisterFormsResult {
  const codes = assembleTemplates(mode, tpl);
  const r = rng(seed);
  const cases: (CaseIn & { tpl: number })[] = [];
  const PER = 24;
  tpl.forEach((_, i) => {
    const code = codes[i];
    for (let k = 0; k < PER; k++) {
      const n = mode === 64 ? 16 : 8;
      const pick = () => (r() < 0.2 ? [0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff][Math.floor(r() * 8)] : Math.floor(r() * 2 ** 32)) >>> 0;
      const regs = Array.from({ length: n }, pick);
      const regsHi = Array.from({ length: n }, () => (mode === 64 ? pick() : 0));
      regs[4] = 0x8000; // RSP: valid stack, not used by these forms
      regsHi[4] = 0;
      if (mode === 16) for (let q = 0; q < n; q++) regs[q] &= 0xffff;
      regs[1] = r() < 0.5 ? regs[1] & 0x3f : regs[1]; // small shift counts in CL often
      const flags = (0x2 | (Math.floor(r() * 0x1000) & 0x8d5)) >>> 0;
      cases.push({ code, regs, regsHi, flags, tpl: i });
    }
  });
  const uc = runPython(SCRIPT, { mode, cases }) as { regs: number[]; regsHi: number[]; rip: number; flags: number; ints: number[] }[];
  const m = new Machine({ memoryMiB: 4, executor: new BootExecutor() });
  const cpu = m.cpus[0];
  const exec = m.executor!;
  const d = newDecoded();
  let compared = 0, faults = 0;
  const failures: string[] = [];
  cases.forEach((c, ci) => {
    setupFlatMode(m, mode);
    const bytes = Buffer.from(c.code, 'hex');
    m.memory.load(0x1000, bytes);
    const n = c.regs.length;
    for (let q = 0; q < n; q++) {
      cpu.gprLo[q] = c.regs[q];
      cpu.gprHi[q] = c.regsHi[q];
    }
    cpu.setEflags(c.flags);
    cpu.ripLo = 0x1000;
    cpu.ripHi = 0;
    let vec: number[] = [];
    try {
      exec.step(cpu);
    } catch (e) {
      if (!(e instanceof CpuFault)) throw e;
      vec = [e.vector];
    }
    const u = uc[ci];
    decodeInstruction((o) => (o < bytes.length ? bytes[o] : -1), 0, mode, d);
    const masks = operationFlagMasks(d.form?.op ?? '');
    const undef = masks?.undefined ?? 0;
    const name = `${tpl[c.tpl]} [${mode}] regs=${c.regs.map((x) => x.toString(16)).join(',')} hi=${c.regsHi.map((x) => x.toString(16)).join(',')} fl=${c.flags.toString(16)}`;
    const problems: string[] = [];
    if (JSON.stringify(vec) !== JSON.stringify(u.ints)) problems.push(`exceptions ours ${JSON.stringify(vec)} unicorn ${JSON.stringify(u.ints)}`);
    if (vec.length === 0 && u.ints.length === 0) {
      for (let q = 0; q < n; q++) {
        if (cpu.gprLo[q] !== u.regs[q] || (mode === 64 && cpu.gprHi[q] !== u.regsHi[q])) problems.push(`reg ${q}: ours ${cpu.gprHi[q].toString(16)}:${cpu.gprLo[q].toString(16)} unicorn ${u.regsHi[q].toString(16)}:${u.regs[q].toString(16)}`);
      }
      if (cpu.ripLo !== u.rip) problems.push(`rip ours ${cpu.ripLo.toString(16)} unicorn ${u.rip.toString(16)}`);
      const fm = 0x8d5 & ~undef;
      if ((cpu.getEflags() & fm) !== (u.flags & fm)) problems.push(`flags ours ${(cpu.getEflags() & 0x8d5).toString(16)} unicorn ${(u.flags & 0x8d5).toString(16)} (compared ${fm.toString(16)})`);
      compared++;
    } else faults++;
    if (problems.length) failures.push(`${name}: ${problems.join('; ')}`);
  });
  return { cases: cases.length, compared, faults, failures };
}
