// Block dispatch (machine/exec/block.ts, X86Executor.runBlock) through Machine.run, against Unicorn (QEMU's CPU):
// random straight-line programs and loops over the fast register forms mixed with general ones (memory, ADC/SBB,
// RCL/RCR, PUSHF, SETcc/CMOVcc, forward branches inside blocks), self-modifying code inside a block, a #DE in the
// middle of a block (delivered through the IVT: RIP and state must be those before the faulting instruction), and
// stops inside blocks: the instruction limit, a breakpoint in a loop body already run as a block, single steps
// through it and slice ends. Blocks are compiled (block.ts compileBlock) at their first run unless noted. Each ours-vs-Unicorn comparison stops both after the same number of instructions (or
// at the program's end: OUT to isa-debug-exit for us, UD2 for Unicorn).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Machine } from '../../../machine/machine';
import { X86Executor } from '../../../machine/exec';
import { ATTR_ACCESSED, ATTR_CODE, ATTR_DB, ATTR_G, ATTR_L, ATTR_P, ATTR_RW, ATTR_S } from '../../../machine/cpu/segment';
import { seededUint32 } from '../../seeded-random';
import { PYTHON, asAvailable, assemble, requireOracle, unicornAvailable } from '../oracle';

const CODE = 0x1000;
const DATA = 0x7000;
const DATA_LEN = 0x2000;
const STRIDE = 0x800;
/** Real-mode exception handler for the fault test: OUT to isa-debug-exit. */
const HANDLER = 0x0f00;

type Mode = 16 | 32 | 64;
interface Case {
  name: string;
  mode: Mode;
  code: Uint8Array;
  regs: string[];
  flags: number;
  /** Instructions to run (Unicorn count; our instruction limit); undefined = to the end. */
  count?: number;
}
interface UcResult {
  regs: string[];
  rip: number;
  flags: number;
  vector: number;
  error: string | null;
  mem: [number, number][];
}

function unicorn(cases: Case[], pattern: number[]): { selectors: Record<string, number[]>; results: UcResult[] } {
  const req = {
    pattern: Buffer.from(pattern).toString('hex'),
    cases: cases.map((c) => ({ mode: c.mode, code: Buffer.from(c.code).toString('hex'), regs: c.regs, flags: c.flags, segs: c.mode === 16 ? [0, 0, 0, 0, 0, 0] : null, count: c.count ?? 1_000_000, fresh: true })),
  };
  const py = spawnSync(PYTHON, [join(__dirname, 'unicorn_cases.py')], { input: JSON.stringify(req), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(py.status, 0, py.stderr);
  return JSON.parse(py.stdout);
}

/** Our machine in the Unicorn harness's state for `c` (flat segments, no paging; real mode with an IVT). */
function ourMachine(c: Case, selectors: number[], pattern: number[], compileBlocksAfter = 1): Machine {
  const m = new Machine({ memoryMiB: 4, executor: new X86Executor({ compileBlocksAfter }) });
  const cpu = m.cpus[0];
  cpu.cr0 = c.mode === 16 ? 0x10 : 0x11;
  cpu.efer = c.mode === 64 ? 0x500 : 0;
  const code = ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED;
  for (let s = 0; s < 6; s++) {
    if (c.mode === 16) cpu.seg[s].set(0, 0, 0xffff, s === 1 ? code : ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED);
    else cpu.seg[s].set(selectors[s], 0, 0xffffffff, s === 1 ? code | ATTR_G | (c.mode === 64 ? ATTR_L : ATTR_DB) : ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED | ATTR_DB | ATTR_G);
  }
  cpu.updateMode();
  cpu.mmu.modeChanged();
  c.regs.forEach((v, g) => {
    const x = BigInt('0x' + v);
    cpu.gprLo[g] = Number(x & 0xffffffffn);
    cpu.gprHi[g] = Number(x >> 32n);
  });
  cpu.setEflags(c.flags);
  cpu.ripLo = CODE;
  m.memory.load(DATA, pattern);
  m.memory.writeBytes(CODE, c.code);
  if (c.mode === 16) {
    cpu.idtBase = 0;
    cpu.idtLimit = 0x3ff;
    for (let v = 0; v < 32; v++) m.memory.writeBytes(v * 4, [HANDLER & 0xff, HANDLER >> 8, 0, 0]);
    m.memory.writeBytes(HANDLER, [0xe6, 0xf4]); // out %al, $0xf4
  }
  return m;
}

/** Differences between our CPU and Unicorn's result (registers, RIP, arithmetic flags, data window). */
function compare(m: Machine, c: Case, want: UcResult, pattern: number[], rip: number = m.cpus[0].ripLo, skipReg = -1, flags?: number): string[] {
  const cpu = m.cpus[0];
  const problems: string[] = [];
  const mask = c.mode === 64 ? (1n << 64n) - 1n : 0xffffffffn;
  for (let g = 0; g < want.regs.length; g++) {
    if (g === skipReg) continue;
    const ours = ((BigInt(cpu.gprHi[g]) << 32n) | BigInt(cpu.gprLo[g])) & mask;
    if (ours !== BigInt('0x' + want.regs[g])) problems.push(`r${g} ours ${ours.toString(16)} unicorn ${want.regs[g]}`);
  }
  if (rip !== want.rip) problems.push(`rip ours ${rip.toString(16)} unicorn ${want.rip.toString(16)}`);
  const f = flags ?? cpu.getEflags();
  if ((f & 0xcd5) !== (want.flags & 0xcd5)) problems.push(`flags ours ${f.toString(16)} unicorn ${want.flags.toString(16)}`);
  const mem = m.memory.readBytes(DATA, DATA_LEN);
  const diffs: [number, number][] = [];
  for (let k = 0; k < DATA_LEN; k++) if (mem[k] !== pattern[k]) diffs.push([k, mem[k]]);
  if (JSON.stringify(diffs) !== JSON.stringify(want.mem)) problems.push(`memory ours ${JSON.stringify(diffs.slice(0, 6))} unicorn ${JSON.stringify(want.mem.slice(0, 6))}`);
  return problems;
}

function runToStop(m: Machine, slice = 1_000_000): ReturnType<Machine['run']> {
  let r = m.run({ sliceInstructions: slice });
  while (r.kind === 'slice-end') r = m.run({ sliceInstructions: slice });
  return r;
}

// ---- random programs -------------------------------------------------------------------------------------------

const R64 = ['rax', 'rcx', 'rdx', 'rbx', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13'];
const R32OF: Record<string, string> = { rax: 'eax', rcx: 'ecx', rdx: 'edx', rbx: 'ebx', rbp: 'ebp', rsi: 'esi', rdi: 'edi', r8: 'r8d', r9: 'r9d', r10: 'r10d', r11: 'r11d', r12: 'r12d', r13: 'r13d' };
const ALU = ['add', 'or', 'and', 'sub', 'xor', 'cmp', 'test', 'adc', 'sbb'];
const SHIFTS = ['rol', 'ror', 'shl', 'shr', 'sar', 'rcl', 'rcr'];
const CCS = ['z', 'nz', 'c', 'nc', 's', 'ns', 'o', 'no', 'p', 'np', 'a', 'be', 'l', 'ge', 'g', 'le'];

/** One random program: `lines` instructions in `mode`, some of them in counted loops and skipped by branches. */
function randomProgram(rnd: () => number, mode: Mode, lines: number, id: number, fastOnly = false): string {
  const pick = <T>(a: T[]): T => a[rnd() % a.length];
  // fastOnly: only forms with fast ops, and forward Jcc: loop bodies become compiled blocks whose flags chain.
  const alu = fastOnly ? ALU.slice(0, 7) : ALU;
  const shifts = fastOnly ? SHIFTS.slice(0, 5) : SHIFTS;
  // 64-bit: r15 points into the data window, r14 counts loops; 32/16-bit: EDI/DI and EBP.
  const regs32 = mode === 64 ? R64.map((r) => R32OF[r]) : ['eax', 'ecx', 'edx', 'ebx', 'esi'];
  const mem = (off: number): string => (mode === 64 ? `${off}(%r15)` : mode === 32 ? `${off}(%edi)` : `${off}(%di)`);
  const imm = (): number => (rnd() & 1 ? (rnd() % 256) - 128 : rnd() | 0);
  let label = 0;
  const one = (): string => {
    const wide = mode === 64 && rnd() % 3 !== 0;
    const regs = wide ? R64 : regs32;
    const sfx = wide ? 'q' : 'l';
    const d = pick(regs), s = pick(regs);
    const form = fastOnly ? [0, 3, 5, 6, 7, 8, 9, 10, 15, 15][rnd() % 10] : rnd() % 16;
    switch (form) {
      case 0: case 1: case 2: return `${pick(alu)}${sfx} %${s}, %${d}`;
      case 3: case 4: return `${pick(alu)}${sfx} $${imm()}, %${d}`;
      case 5: return rnd() & 1 ? `mov${sfx} %${s}, %${d}` : wide && rnd() & 1 ? `movabsq $0x${rnd().toString(16)}${rnd().toString(16).padStart(8, '0')}, %${d}` : `mov${sfx} $${imm()}, %${d}`;
      case 6: return `${rnd() & 1 ? 'inc' : 'dec'}${sfx} %${d}`;
      case 7: {
        const b = pick(regs), ix = pick(regs.filter((r) => r !== 'rsp' && r !== 'esp'));
        return `lea${sfx} ${imm()}(%${b},%${ix},${pick([1, 2, 4, 8])}), %${d}`;
      }
      case 8: return `lea${sfx} ${imm()}(%${s}), %${d}`;
      case 9: return `${pick(shifts)}${sfx} $${rnd() % (wide ? 70 : 40)}, %${d}`;
      case 10: return `${pick(shifts)}${sfx} %${d}`;
      case 11: return rnd() & 1 ? `mov${sfx} %${s}, ${mem((rnd() % 0x100) * 8)}` : `mov${sfx} ${mem((rnd() % 0x100) * 8)}, %${d}`;
      case 12: return rnd() & 1 ? `add${sfx} %${s}, ${mem((rnd() % 0x100) * 8)}` : `sub${sfx} ${mem((rnd() % 0x100) * 8)}, %${d}`;
      case 13: return rnd() & 1 ? `cmov${pick(CCS)}${sfx} %${s}, %${d}` : `set${pick(CCS)} %${pick(['al', 'cl', 'dl', 'bl'])}`;
      case 14: return mode === 64 ? `pushfq\npopq %${pick(R64)}` : `pushfl\npopl %${pick(regs32)}`;
      default: {
        const l = `P${id}_${label++}`;
        return `${rnd() % 5 === 0 ? 'jmp' : `j${pick(CCS)}`} ${l}\n${pick(alu)}${sfx} $${imm()}, %${d}\n${l}:`;
      }
    }
  };
  const out: string[] = [];
  const counter = mode === 64 ? '%r14d' : '%ebp';
  for (let n = 0; n < lines; ) {
    if (rnd() % 4 === 0) {
      const body = 3 + (rnd() % 8);
      const l = `P${id}_${label++}`;
      out.push(`movl $${2 + (rnd() % 9)}, ${counter}`, `${l}:`);
      for (let k = 0; k < body; k++) out.push(one());
      out.push(`decl ${counter}`, `jnz ${l}`);
      n += body + 3;
    } else {
      out.push(one());
      n++;
    }
  }
  return out.join('\n');
}

function caseOf(name: string, mode: Mode, code: Uint8Array, rnd: () => number, count?: number): Case {
  const n = mode === 64 ? 16 : 8;
  const regs = Array.from({ length: n }, (_, g) => {
    if (g === 4) return (mode === 16 ? 0x6000 : DATA + 0x1800).toString(16); // stack
    if ((mode === 64 && g === 15) || (mode !== 64 && g === 7)) return (DATA + 0x800).toString(16); // data pointer
    return mode === 64 ? rnd().toString(16) + rnd().toString(16).padStart(8, '0') : rnd().toString(16);
  });
  return { name, mode, code, regs, flags: 0x2 | (rnd() & 0x8d5), count };
}

/** Assembles programs (each ending in OUT to isa-debug-exit, then UD2) at STRIDE-byte slots. */
function assemblePrograms(progs: { mode: Mode; source: string }[]): Uint8Array[] {
  const src = progs.map((p) => `.balign ${STRIDE}, 0x90\n${p.mode === 64 ? '.code64' : p.mode === 32 ? '.code32' : '.code16'}\n0:\n${p.source}\nout %al, $0xf4\nud2\n`).join('') + `.balign ${STRIDE}, 0x90\n`;
  const image = assemble(src, 0);
  return progs.map((_, i) => image.subarray(i * STRIDE, (i + 1) * STRIDE));
}

const PATTERN = Array.from({ length: DATA_LEN }, (_, i) => (i * 37 + (i >> 5)) & 0xff);

test('random programs run as decoded blocks end like on Unicorn', { timeout: 240_000 }, (t) => {
  if (!requireOracle(t, unicornAvailable(), 'python3-unicorn (/usr/bin/python3)')) return;
  if (!requireOracle(t, asAvailable(), 'GNU as')) return;
  const rnd = seededUint32(0xb10c5);
  const progs: { mode: Mode; source: string }[] = [];
  for (let i = 0; i < 90; i++) progs.push({ mode: 64, source: randomProgram(rnd, 64, 60, progs.length) });
  for (let i = 0; i < 30; i++) progs.push({ mode: 32, source: randomProgram(rnd, 32, 60, progs.length) });
  for (let i = 0; i < 20; i++) progs.push({ mode: 16, source: randomProgram(rnd, 16, 40, progs.length) });
  for (let i = 0; i < 60; i++) progs.push({ mode: 64, source: randomProgram(rnd, 64, 40, progs.length, true) });
  for (let i = 0; i < 20; i++) progs.push({ mode: 32, source: randomProgram(rnd, 32, 40, progs.length, true) });
  // A shift or rotate whose CF/OF/SF/ZF a Jcc reads, with varying operands over the iterations.
  for (const [sfx, r, cnt] of [['q', 'rbx', 64], ['l', 'ebx', 32]] as const) {
    for (const sh of ['shl', 'shr', 'sar', 'rol', 'ror']) {
      for (const n of [1, 7, 31, 33].filter((k) => k < cnt)) {
        for (const cc of ['o', 'c', 's']) {
          const mode: Mode = sfx === 'q' ? 64 : 32;
          const counter = mode === 64 ? '%r14d' : '%ebp';
          const id = progs.length;
          const step = sfx === 'q' ? 'movabsq $0x9e3779b97f4a7c15, %rdx\naddq %rdx, %rbx' : 'addl $0x9e3779b9, %ebx';
          progs.push({ mode, source: `movl $5, ${counter}\nP${id}_1: ${step}\n${sh}${sfx} $${n}, %${r}\nj${cc} P${id}_2\ninc %ecx\nP${id}_2: decl ${counter}\njnz P${id}_1` });
        }
      }
    }
  }
  // A rotate between a flag-setting op and a Jcc that reads that op's ZF/SF/PF (the rotate keeps them).
  for (const [sfx, r] of [['q', 'rbx'], ['l', 'ebx']]) {
    for (const cc of ['z', 's', 'p', 'le']) {
      const mode: Mode = sfx === 'q' ? 64 : 32;
      const counter = mode === 64 ? '%r14d' : '%ebp';
      const n = progs.length;
      progs.push({ mode, source: `movl $6, ${counter}\nmovl $2, %eax\nP${n}_1: sub${sfx} $1, %${sfx === 'q' ? 'rax' : 'eax'}\nrol${sfx} $1, %${r}\nj${cc} P${n}_2\ninc %ecx\nP${n}_2: decl ${counter}\njnz P${n}_1` });
    }
  }
  const codes = assemblePrograms(progs);
  const cases = codes.map((code, i) => caseOf(`program ${i} (${progs[i].mode}-bit)`, progs[i].mode, code, rnd));
  const out = unicorn(cases, PATTERN);
  const failures: string[] = [];
  let instructions = 0, blocksRan = 0;
  // Blocks compiled at their first run (every loop iteration after the first runs compiled code) and the default.
  for (const after of [1, 16]) {
    cases.forEach((c, i) => {
      const want = out.results[i];
      const m = ourMachine(c, out.selectors[String(c.mode)], PATTERN, after);
      const r = runToStop(m);
      instructions += m.totalInstructions;
      if (r.kind !== 'exit-port' || want.vector !== 6) failures.push(`${c.name}: ended ours ${r.kind} (${r.message}), unicorn vector ${want.vector} ${want.error ?? ''}`);
      else {
        const p = compare(m, c, want, PATTERN);
        if (p.length) failures.push(`${c.name} (compiled after ${after}): ${p.join('; ')}\n${progs[i].source}`);
      }
      blocksRan++;
    });
  }
  console.log(`block programs: ${blocksRan - failures.length} of ${blocksRan} passed, ${instructions} instructions`);
  assert.deepEqual(failures, []);
});

test('self-modifying code inside a block, a #DE in the middle of one, and stops inside blocks match Unicorn', { timeout: 120_000 }, (t) => {
  if (!requireOracle(t, unicornAvailable(), 'python3-unicorn (/usr/bin/python3)')) return;
  if (!requireOracle(t, asAvailable(), 'GNU as')) return;
  const rnd = seededUint32(0x5e1f);
  const progs: { mode: Mode; source: string }[] = [
    // 0: a store rewrites the immediate of the very next instruction of the same block.
    { mode: 64, source: 'mov $3, %ecx\nxor %eax, %eax\n1: movb $7, 2f+2(%rip)\n2: add $1, %eax\nadd %eax, %ebx\ndec %ecx\njnz 1b' },
    // 1: the loop body rewrites an instruction it already ran (the block is stale for the next iteration).
    { mode: 64, source: 'mov $6, %ecx\nxor %eax, %eax\n1: add $1, %eax\nincb 1b+2(%rip)\nshl $1, %rbx\ndec %ecx\njnz 1b' },
    // 2: a 32-bit store turns the next instruction (a NOP slide) into an INC.
    { mode: 32, source: 'call 1f\n1: pop %ebx\nmovl $0x90404040, 2f-1b(%ebx)\nxor %eax, %eax\n2: nop\nnop\nnop\nnop\nadd %eax, %edx' },
    // 3: real mode, #DE in the middle of a block of fast 32-bit forms (handler = OUT to isa-debug-exit).
    { mode: 16, source: 'addl %ebx, %eax\nxorl %ecx, %ecx\nleal 4(%eax,%ebx,2), %edx\nshll $3, %edx\ndivl %ecx\naddl %eax, %eax' },
    // 4: a loop for the stop tests (its body holds a marker instruction).
    { mode: 64, source: 'mov $200, %ecx\n1: add %rcx, %rax\nxor %rax, %rdx\nmovabsq $0x1122334455667788, %r13\nleaq 1(%rdx,%rax,2), %rbx\nrorq $7, %rdx\ndec %ecx\njnz 1b' },
  ];
  const codes = assemblePrograms(progs);
  const cases = codes.map((code, i) => caseOf(`special ${i}`, progs[i].mode, code, rnd));
  cases[3].regs[1] = '12345';
  // The loop program stopped after a given number of instructions (our instruction limit, single steps, slices).
  const marker = [0x49, 0xbd, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11];
  const loop = codes[4];
  const markerAt = loop.findIndex((_, k) => marker.every((b, j) => loop[k + j] === b));
  assert.ok(markerAt > 0);
  const counts = [1, 2, 5, 9, 33, 100, 777];
  for (const n of counts) cases.push({ ...cases[4], name: `loop limited to ${n}`, count: n });
  const out = unicorn(cases, PATTERN);
  const failures: string[] = [];
  const sel = (c: Case) => out.selectors[String(c.mode)];
  for (let i = 0; i < 3; i++) {
    const m = ourMachine(cases[i], sel(cases[i]), PATTERN);
    const r = runToStop(m);
    const p = r.kind === 'exit-port' && out.results[i].vector === 6 ? compare(m, cases[i], out.results[i], PATTERN) : [`ended ours ${r.kind}, unicorn vector ${out.results[i].vector}`];
    if (p.length) failures.push(`${progs[i].source}: ${p.join('; ')}`);
  }
  {
    // #DE: Unicorn stops at the DIV; we deliver it through the IVT (FLAGS, CS, IP pushed) and exit in the handler.
    const c = cases[3], want = out.results[3];
    const m = ourMachine(c, sel(c), PATTERN);
    const r = runToStop(m);
    const cpu = m.cpus[0];
    const sp = cpu.gprLo[4] & 0xffff;
    const frame = m.memory.readBytes(sp, 6);
    const ip = frame[0] | (frame[1] << 8), flags = frame[4] | (frame[5] << 8);
    const p = compare(m, c, want, PATTERN, ip, 4, flags);
    if (want.vector !== 0 || r.kind !== 'exit-port') p.push(`vector unicorn ${want.vector}, ours ended ${r.kind}`);
    if (sp + 6 !== parseInt(want.regs[4], 16)) p.push(`sp ours ${(sp + 6).toString(16)} unicorn ${want.regs[4]}`);
    if (m.faultedInstructions !== 1) p.push(`${m.faultedInstructions} faulted instructions`);
    if (p.length) failures.push(`#DE mid-block: ${p.join('; ')}`);
  }
  counts.forEach((n, j) => {
    const c = cases[5 + j], want = out.results[5 + j];
    // (a) the instruction limit
    const m = ourMachine(c, sel(c), PATTERN);
    m.maxInstructions = n;
    const r = runToStop(m);
    if (r.kind !== 'instruction-limit' || m.totalInstructions !== n) failures.push(`limit ${n}: ${r.kind} after ${m.totalInstructions}`);
    else for (const p of compare(m, c, want, PATTERN)) failures.push(`limit ${n}: ${p}`);
    // (b) slices of a few instructions
    const s = ourMachine(c, sel(c), PATTERN);
    let done = 0;
    while (done < n) {
      const step = Math.min(n - done, 1 + (done % 5));
      const sr = s.run({ sliceInstructions: step });
      if (sr.kind !== 'slice-end') break;
      done += step;
    }
    if (s.totalInstructions !== n) failures.push(`slices to ${n}: ran ${s.totalInstructions}`);
    else for (const p of compare(s, c, want, PATTERN)) failures.push(`slices to ${n}: ${p}`);
  });
  for (const kind of ['linear', 'physical', 'linear with events traced'] as const) {
    // (c) a breakpoint in the loop body after the loop already ran as blocks, then single steps through the block.
    const c = cases[4];
    const traced: string[] = [];
    const setUp = (mm: Machine): void => {
      if (kind === 'physical') mm.addPhysicalBreakpoint(CODE + markerAt);
      else mm.addBreakpoint(CODE + markerAt);
      if (kind === 'linear with events traced') mm.events.trace({ mode: true, cr: true, msr: true, exceptions: true }, (e) => traced.push(e.kind));
    };
    const m = ourMachine(c, sel(c), PATTERN);
    m.maxInstructions = 50;
    runToStop(m);
    m.maxInstructions = Infinity;
    setUp(m);
    const r = runToStop(m);
    const at = m.totalInstructions;
    if (r.kind !== 'breakpoint' || m.cpus[0].ripLo !== CODE + markerAt) failures.push(`breakpoint: ${r.kind} at ${m.cpus[0].ripLo.toString(16)}`);
    m.clearBreakpoints();
    for (let k = 0; k < 7; k++) m.step(0);
    const check = [{ ...c, name: 'at breakpoint', count: at }, { ...c, name: 'after steps', count: at + 7 }];
    const o2 = unicorn(check, PATTERN);
    const m2 = ourMachine(c, sel(c), PATTERN);
    m2.maxInstructions = 50;
    runToStop(m2);
    m2.maxInstructions = Infinity;
    setUp(m2);
    runToStop(m2);
    for (const p of compare(m2, check[0], o2.results[0], PATTERN)) failures.push(`${kind}: at breakpoint (${at}): ${p}`);
    for (const p of compare(m, check[1], o2.results[1], PATTERN)) failures.push(`${kind}: after 7 steps: ${p}`);
    // And on to the end (blocks again, except the one holding the breakpoint, which stops there once per loop).
    m.clearBreakpoints();
    const end = runToStop(m);
    if (end.kind !== 'exit-port') failures.push(`${kind}: after the breakpoint: ended ${end.kind}`);
    else for (const p of compare(m, c, out.results[4], PATTERN)) failures.push(`${kind}: loop end: ${p}`);
    // One breakpoint event per machine, nothing else (the loop changes no mode, register or table).
    if (kind === 'linear with events traced' && traced.join() !== 'breakpoint,breakpoint') failures.push(`${kind}: events ${traced.join(', ')}`);
  }
  {
    // (d) a breakpoint stays put in a loop that runs as blocks around it: every iteration stops there.
    const c = cases[4];
    const m = ourMachine(c, sel(c), PATTERN);
    m.addBreakpoint(CODE + markerAt);
    let hits = 0;
    let r = runToStop(m);
    while (r.kind === 'breakpoint') {
      hits++;
      if (m.cpus[0].ripLo !== CODE + markerAt) failures.push(`stopped at ${m.cpus[0].ripLo.toString(16)}`);
      r = runToStop(m);
    }
    if (r.kind !== 'exit-port' || hits !== 200) failures.push(`breakpoint in the loop: ${hits} hits, ended ${r.kind}`);
    else for (const p of compare(m, c, out.results[4], PATTERN)) failures.push(`loop with a breakpoint: ${p}`);
  }
  assert.deepEqual(failures, []);
});

test('the block path and the one-instruction path retire the same instructions with the same results', () => {
  // The benchmark-like loop through Machine.run (blocks) and through Machine.step (never blocks).
  const rnd = seededUint32(7);
  const code = new Uint8Array([
    0xb9, 0x40, 0x00, 0x00, 0x00, // mov $0x40, %ecx
    0x48, 0x01, 0xc8, // 1: add %rcx, %rax
    0x48, 0x31, 0xc2, // xor %rax, %rdx
    0x48, 0x8d, 0x5c, 0x42, 0x01, // lea 1(%rdx,%rax,2), %rbx
    0x48, 0xc1, 0xe3, 0x03, // shl $3, %rbx
    0x48, 0x29, 0xd8, // sub %rbx, %rax
    0x48, 0xc1, 0xca, 0x07, // ror $7, %rdx
    0x48, 0xff, 0xc9, // dec %rcx
    0x75, 0xe5, // jnz 1b
    0xe6, 0xf4, // out %al, $0xf4
  ]);
  const c = caseOf('loop', 64, code, rnd);
  const a = ourMachine(c, [0, 0x33, 0x2b, 0x2b, 0x2b, 0x2b], PATTERN);
  const b = ourMachine(c, [0, 0x33, 0x2b, 0x2b, 0x2b, 0x2b], PATTERN);
  assert.equal(runToStop(a).kind, 'exit-port');
  let r = b.step(0);
  while (r.kind === 'slice-end') r = b.step(0);
  assert.equal(r.kind, 'exit-port');
  assert.equal(a.totalInstructions, b.totalInstructions);
  assert.equal(a.totalInstructions, 1 + 0x40 * 8 + 1);
  assert.deepEqual([...a.cpus[0].gprLo, ...a.cpus[0].gprHi, a.cpus[0].getEflags(), a.cpus[0].ripLo], [...b.cpus[0].gprLo, ...b.cpus[0].gprHi, b.cpus[0].getEflags(), b.cpus[0].ripLo]);
});

test('events raised inside a block see the instruction count, clock and start of the instruction that caused them', { timeout: 60_000 }, (t) => {
  if (!requireOracle(t, asAvailable(), 'GNU as')) return;
  // PE on at the 3rd instruction and off again at the 6th; straight-line code, so each pair of writes is in a block.
  const [code] = assemblePrograms([{ mode: 16, source: 'movl %cr0, %eax\norb $1, %al\nmovl %eax, %cr0\nmovl %cr0, %eax\nandb $0xfe, %al\nmovl %eax, %cr0\naddl %ebx, %eax\nxorl %eax, %ecx' }]);
  const rnd = seededUint32(3);
  const c = caseOf('mode events', 16, code, rnd);
  const m = ourMachine(c, [0, 0, 0, 0, 0, 0], PATTERN);
  const seen: string[] = [];
  m.events.trace({ mode: true, cr: true }, (e) => seen.push(`${e.kind}@${e.instruction}/${m.totalInstructions}/${m.clock.now} rip ${e.rip}`));
  assert.equal(runToStop(m).kind, 'exit-port');
  // Start of the n-th instruction: lengths 3, 2, 3, 3, 2, 3 (MOV CRn, OR/AND AL, imm8 in 16-bit code).
  const startOf = (n: number): number => CODE + [0, 3, 5, 8, 11, 13][n];
  assert.deepEqual(seen, [
    `mode-change@2/2/2 rip ${startOf(2)}`,
    `cr-write@2/2/2 rip ${startOf(2)}`,
    `mode-change@5/5/5 rip ${startOf(5)}`,
    `cr-write@5/5/5 rip ${startOf(5)}`,
  ]);
});

test('a time-bounded slice ends on time while compiled blocks loop in place', () => {
  // The benchmark loop with a 2^31 count: billions of instructions if nothing looked at the clock.
  const code = new Uint8Array([0xb9, 0xff, 0xff, 0xff, 0x7f, 0x48, 0x01, 0xc8, 0x48, 0x31, 0xc2, 0x48, 0x8d, 0x5c, 0x42, 0x01, 0x48, 0xc1, 0xe3, 0x03, 0x48, 0x29, 0xd8, 0x48, 0xc1, 0xca, 0x07, 0x48, 0xff, 0xc9, 0x75, 0xe5, 0xe6, 0xf4]);
  const m = ourMachine(caseOf('long loop', 64, code, seededUint32(9)), [0, 0x33, 0x2b, 0x2b, 0x2b, 0x2b], PATTERN);
  const t0 = Date.now();
  const r = m.run({ sliceInstructions: 4_000_000_000, sliceMs: 20 });
  const ms = Date.now() - t0;
  assert.equal(r.kind, 'slice-end');
  // Generous for a loaded machine; without the per-call budget this slice runs for tens of seconds.
  assert.ok(ms < 3000, `the 20 ms slice took ${ms} ms (${m.totalInstructions} instructions)`);
  m.pause();
  assert.equal(m.run({ sliceInstructions: 4_000_000_000 }).kind, 'paused');
});
