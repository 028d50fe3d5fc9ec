// Language-server figures over the real protocol (node dist/server.js --stdio): time to first diagnostics, re-analysis
// after a one-character edit, hover and definition latency; and the in-process analysis time beside gcc -E + as on
// the same file in the same run. Files: a generated 20 000-line macro-heavy trampoline and the seed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { analyze } from '../gas/index';
import { builtinHeaders } from '../gas/headers/index';
import { OverlayFileSystem } from '../server/overlay-fs';
import { TestClient, fileUri } from '../test/server/lsp-client';
import { percentiles, type BenchRow } from './table';

const seedPath = resolve(__dirname, '../../shared/seeds/trampoline_64_bsp.S');

/** A 20 000-line file in the style of the kernel's trampolines: headers, macros with .if branches, \@ labels,
 * numeric labels and mode switches, repeated in blocks. */
export function generateMacroHeavy(lines: number): string {
  const out: string[] = [
    '/* Generated trampoline blocks: each goes from real mode through protected mode to long mode. */',
    '#include <linux/linkage.h>',
    '#include <asm/processor-flags.h>',
    '#include <asm/msr.h>',
    '#include <asm/segment.h>',
    '.macro LOCK_STACK blk:req, pa=0 rip=0',
    '.Lretry\\@:',
    '.if \\pa',
    '        lock btsl $0, lock_\\blk',
    '.elseif \\rip',
    '        lock btsl $0, lock_\\blk(%rip)',
    '.else',
    '        lock btsl $0, lock_\\blk - base_\\blk',
    '.endif',
    '        jnc     2f',
    '        pause',
    '        jmp     .Lretry\\@',
    '2:',
    '.endm',
    '.macro SET_CR4 bits:req, reg=%eax',
    '        movl    %cr4, \\reg',
    '        orl     $\\bits, \\reg',
    '        movl    \\reg, %cr4',
    '.endm',
    '.macro FILL_TABLE n:req',
    '        movl    $\\n, %ecx',
    '1:      movl    %eax, 0(%edi)',
    '        addl    $8, %edi',
    '        decl    %ecx',
    '        jnz     1b',
    '.endm',
    '        .text',
  ];
  let block = 0;
  while (out.length < lines - 2) {
    const b = block++;
    out.push(
      '        .code16',
      `SYM_CODE_START(entry16_${b})`,
      `base_${b}:`,
      '        cli',
      '        mov     %cs, %ax',
      '        mov     %ax, %ds',
      `        LOCK_STACK ${b}`,
      `        movw    $(stack_end_${b} - base_${b}), %sp`,
      `        lidtl   idt_ptr_${b} - base_${b}`,
      `        lgdtl   gdt_ptr_${b} - base_${b}`,
      '        mov     $X86_CR0_PE, %ax',
      '        lmsw    %ax',
      `        ljmpl   $__KERNEL32_CS, $(pm_${b} - base_${b})`,
      `SYM_CODE_END(entry16_${b})`,
      '        .code32',
      `pm_${b}:`,
      '        movl    $__KERNEL_DS, %eax',
      '        movl    %eax, %ds',
      `        LOCK_STACK ${b}, pa=1`,
      '        SET_CR4 X86_CR4_PAE',
      '        leal    tables(%esi), %edi',
      '        movl    $0x183, %eax',
      '        FILL_TABLE 512',
      '        movl    $MSR_EFER, %ecx',
      '        rdmsr',
      '        btsl    $_EFER_LME, %eax',
      '        wrmsr',
      '        movl    $(X86_CR0_PG | X86_CR0_PE), %eax',
      '        movl    %eax, %cr0',
      `        ljmpl   $__KERNEL_CS, $(lm_${b} - base_${b})`,
      '        .code64',
      `lm_${b}:`,
      `        LOCK_STACK ${b}, rip=1`,
      '        movq    $0xffffffff00000000, %r8',
      '        testq   %r8, %r14',
      '        je      3f',
      '        movq    %r14, %r13',
      `3:      movl    $0, lock_${b}(%rip)`,
      '        hlt',
      '        .balign 8',
      `gdt_ptr_${b}: .word 23`,
      '        .long 0',
      `idt_ptr_${b}: .word 0`,
      '        .long 0',
      `lock_${b}: .long 0`,
      `        .fill 16, 8, 0`,
      `stack_end_${b}:`,
    );
  }
  out.push(
    '        .balign 4096',
    'tables: .fill 4096, 1, 0',
  );
  return out.join('\n') + '\n';
}

function writeHeaders(dir: string): string {
  const inc = join(dir, 'include');
  for (const [name, text] of Object.entries(builtinHeaders)) {
    const p = join(inc, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return inc;
}

/** Wall time of `gcc -E` + `as --64` on a file (ms), or NaN when the toolchain is missing. */
function gnuTime(path: string, inc: string, dir: string): number {
  const t0 = performance.now();
  const pre = spawnSync('gcc', ['-E', '-P', '-D__ASSEMBLY__', '-nostdinc', '-I', inc, path, '-o', join(dir, 'pre.s')]);
  if (pre.status !== 0) return NaN;
  const as = spawnSync('as', ['--64', '-o', join(dir, 'out.o'), join(dir, 'pre.s')]);
  if (as.status !== 0) throw new Error(`as rejected ${path}: ${as.stderr}`);
  return performance.now() - t0;
}

function median(xs: number[]): number {
  return percentiles(xs).median;
}

/** Positions of tokens worth hovering / jumping from: mnemonics, registers, macro calls, labels, 1b. */
function probePositions(text: string, max: number): { line: number; character: number }[] {
  const out: { line: number; character: number }[] = [];
  const lines = text.split('\n');
  const step = Math.max(1, Math.floor(lines.length / max));
  for (let i = 0; i < lines.length && out.length < max; i += step) {
    const m = /[A-Za-z_%][\w.]*/.exec(lines[i].replace(/#.*/, '').replace(/\/\*.*/, ''));
    if (m) out.push({ line: i, character: m.index + 1 });
  }
  return out;
}

async function measureFile(label: string, path: string, inc: string, dir: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const text = readFileSync(path, 'latin1');
  const group = `server (${label})`;

  // GNU's time first (other processes); the in-process analysis runs last so its garbage does not land in this
  // process's heap while request latencies are measured.
  const gnuTimes = [0, 1, 2].map(() => gnuTime(path, inc, dir));
  const gnu = median(gnuTimes);

  const client = new TestClient();
  try {
    await client.initialize(dirname(path), { debounceMs: 0 });
    const t0 = performance.now();
    const first = await client.open(path, text);
    const problems = first.filter((d) => d.severity <= 2).length;
    rows.push({ group, name: 'first diagnostics after open', ours: performance.now() - t0, unit: 'ms', better: 'lower', note: `${text.split('\n').length} lines, ${problems} errors/warnings` });

    // One-character edits (a space before a code line; every text is new, so no cached result can answer),
    // debounce set to 0 to time the analysis.
    const editTimes: number[] = [];
    const editCpu: number[] = [];
    let resumed = 0;
    let converged = 0;
    const codeLines = text.split('\n').flatMap((l, i) => (/^\s+(cli|movl)\b/.test(l) ? [i] : []));
    // The first edits warm the server's JIT (an editing session is past them); then 8 measured ones.
    const warmup = text.length > 100_000 ? 2 : 5;
    for (let i = 0; i < warmup + 8; i++) {
      const line = codeLines[(i * 7) % codeLines.length];
      const t = performance.now();
      await client.edit(path, { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: ' ' });
      if (i < warmup) continue;
      editTimes.push(performance.now() - t);
      const stats = (await client.conn.sendRequest('x86Trampoline/analysisStats', { uri: fileUri(path) })) as { cpuMillis?: number; cpp?: { mode: string }; gas?: { converged?: boolean } } | null;
      if (stats?.cpuMillis !== undefined) editCpu.push(stats.cpuMillis);
      if (stats?.cpp?.mode === 'resumed') resumed++;
      if (stats?.gas?.converged) converged++;
    }
    rows.push({ group, name: 're-analysis after a 1-char edit (to diagnostics)', ours: median(editTimes), unit: 'ms', better: 'lower', peer: Number.isFinite(gnu) ? { name: 'gcc -E + as', value: gnu } : undefined, note: `debounce 0, after ${warmup} warm-up edits` });
    // The same analyses in CPU time inside the server: what the machine's other load does not change.
    if (editCpu.length)
      rows.push({ group, name: 're-analysis after a 1-char edit, server CPU time', ours: median(editCpu), unit: 'ms', better: 'lower', peer: Number.isFinite(gnu) ? { name: 'gcc -E + as', value: gnu } : undefined, note: `${resumed}/${editCpu.length} preprocessor runs resumed from the last one; ${converged}/${editCpu.length} GAS reads re-read one chunk and kept the rest` });

    // Typing inside a /* comment */: the preprocessed file does not change, so the last analysis is kept.
    const lines = text.split('\n');
    const commentLine = lines.findIndex((l) => /\/\*.*\*\//.test(l));
    if (commentLine >= 0) {
      const col = lines[commentLine].indexOf('/*') + 3;
      const commentTimes: number[] = [];
      const commentCpu: number[] = [];
      let kept = 0;
      for (let i = 0; i < 8; i++) {
        const t = performance.now();
        await client.edit(path, { range: { start: { line: commentLine, character: col }, end: { line: commentLine, character: col } }, text: 'x' });
        commentTimes.push(performance.now() - t);
        const stats = (await client.conn.sendRequest('x86Trampoline/analysisStats', { uri: fileUri(path) })) as { cpuMillis?: number; cpp?: { sameOutput?: boolean } } | null;
        if (stats?.cpp?.sameOutput) kept++;
        if (stats?.cpuMillis !== undefined) commentCpu.push(stats.cpuMillis);
      }
      rows.push({ group, name: 're-analysis after a 1-char edit in a /* comment */', ours: median(commentTimes), unit: 'ms', better: 'lower', peer: Number.isFinite(gnu) ? { name: 'gcc -E + as', value: gnu } : undefined, note: `${kept}/8 kept the last analysis (preprocessed text unchanged)${commentCpu.length ? `; analysis CPU time in the server ${median(commentCpu).toFixed(1)} ms` : ''}` });
    }

    for (const method of ['textDocument/hover', 'textDocument/definition'] as const) {
      const probes = probePositions(text, 200);
      const lat: number[] = [];
      await client.conn.sendRequest('x86Trampoline/requestTimings');
      for (let round = 0; round < 3; round++)
        for (const p of probes) {
          const t = performance.now();
          await client.at(method, path, p.line, p.character);
          lat.push(performance.now() - t);
        }
      const { median: med, p99 } = percentiles(lat);
      const name = method.split('/')[1];
      // The floor: the same number of requests that do no work (the transport and process scheduling alone).
      const floor: number[] = [];
      for (let k = 0; k < lat.length; k++) {
        const t = performance.now();
        await client.conn.sendRequest('x86Trampoline/analysisStats', { uri: 'file:///no-such-document.S' });
        floor.push(performance.now() - t);
      }
      rows.push({ group, name: `${name} latency median`, ours: med, unit: 'ms', better: 'lower', note: `${lat.length} requests` });
      rows.push({ group, name: `${name} latency p99`, ours: p99, unit: 'ms', better: 'lower', note: `a request doing no work, same run: p99 ${percentiles(floor).p99.toFixed(2)} ms, median ${percentiles(floor).median.toFixed(3)} ms` });
      // The same requests timed inside the server (without JSON-RPC and process scheduling).
      const inside = (await client.conn.sendRequest('x86Trampoline/requestTimings')) as Record<string, number[]>;
      const own = percentiles(inside[`${name}Request`] ?? []);
      rows.push({ group, name: `${name} in-server p99`, ours: own.p99, unit: 'ms', better: 'lower', note: `median ${own.median.toFixed(3)} ms` });
    }
  } finally {
    await client.close();
  }

  // Completion while typing, with the editor's default debounce: answered from the last analysis plus the
  // current text rather than waiting for a re-analysis.
  const typist = new TestClient();
  try {
    await typist.initialize(dirname(path));
    await typist.open(path, text);
    const lines = text.split('\n');
    const line = lines.findIndex((l) => /^\s+movl\s+%eax/.test(l));
    const lat: number[] = [];
    for (let i = 0; i < 20; i++) {
      const col = lines[line].indexOf('%eax') + 1;
      typist.editNoWait(path, { range: { start: { line, character: 0 }, end: { line, character: i % 2 ? 1 : 0 } }, text: i % 2 ? '' : ' ' });
      const t = performance.now();
      await typist.at('textDocument/completion', path, line, col + (i % 2 ? 0 : 1));
      lat.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 40));
    }
    const { median: med, p99 } = percentiles(lat);
    rows.push({ group, name: 'completion while typing median', ours: med, unit: 'ms', better: 'lower', note: '1 edit every ~40 ms' });
    rows.push({ group, name: 'completion while typing max', ours: p99, unit: 'ms', better: 'lower' });
  } finally {
    await typist.close();
  }
  // In-process analysis vs GNU on the same file.
  const fs = new OverlayFileSystem();
  const analysisTimes: number[] = [];
  const runs = text.length > 100_000 ? 5 : 15;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    analyze(fs, path, {});
    // The first third warms the JIT.
    if (i >= Math.floor(runs / 3)) analysisTimes.push(performance.now() - t0);
  }
  rows.push({ group, name: 'full analysis (cpp + macros + encode + layout)', ours: median(analysisTimes), unit: 'ms', better: 'lower', peer: Number.isFinite(gnu) ? { name: 'gcc -E + as', value: gnu } : undefined, note: 'in process, warm' });

  return rows;
}

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(resolve(__dirname, '../dist/server.js'))) throw new Error('dist/server.js missing: npm run build first');
  const dir = mkdtempSync(join(tmpdir(), 'bench-server-'));
  try {
    const inc = writeHeaders(dir);
    const gen = join(dir, 'macro_heavy.S');
    writeFileSync(gen, generateMacroHeavy(20000));
    const rows = await measureFile('generated 20k lines', gen, inc, dir);
    if (existsSync(seedPath)) rows.push(...(await measureFile('seed trampoline_64_bsp.S', seedPath, inc, dir)));
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
