// Random programs against GNU as: 150 generated blocks (each in its own section) mixing labels, numeric local
// labels, equates, data with label differences in both directions, alignment with fill and max-skip, .fill,
// .skip, .org, .rept/.irp, macros with defaults and conditionals. One `as` run; every section's bytes and every
// symbol's section and value must agree. GAS_RANDOM_SEED picks other seeds; GAS_DUMP=1 writes the sources to tmp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, MemoryFileSystem } from '../../gas/index';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gnuAssemble, hex, requireTools } from './toolchain';
import { seededRandom } from '../seeded-random';


function block(i: number, r: () => number): string {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const n = (max: number) => Math.floor(r() * max);
  const code = r() < 0.4;
  const labels: string[] = [];
  const all: string[] = [];
  const out: string[] = [`\t.section .b${i}, "a${code ? 'x' : ''}"`];
  out.push(`\t.macro m${i} a, b=${n(9)}`, `\t.byte \\a, \\b`, `\t.if \\a > 3`, `\t.word \\a * 3`, `\t.else`, `\t.byte 0xee`, `\t.endif`, `\t.endm`);
  const count = 6 + n(14);
  // Every label name that will be defined, so forward references are possible.
  for (let k = 0; k < count; k++) all.push(`b${i}_l${k}`);
  let localCount = 0;
  for (let k = 0; k < count; k++) {
    out.push(`${all[k]}:`);
    labels.push(all[k]);
    const diff = () => `(${pick(all)} - ${pick(labels)})`;
    switch (n(13)) {
      case 0: out.push(`\t.byte ${n(256)}, ${diff()} & 0x7f`); break;
      case 1: out.push(`\t.word ${diff()}, ${n(65536)}`); break;
      case 2: out.push(`\t.long ${diff()} * 2 + ${n(100)}, . - ${pick(labels)}`); break;
      case 3: out.push(`\t.quad ${diff()} << 3`); break;
      case 4: {
        const fill = r() < 0.5 ? `${n(256)}` : '';
        out.push(`\t.balign ${pick([2, 4, 8, 16])}${fill ? `, ${fill}` : ''}${r() < 0.3 ? `${fill ? '' : ', '}, ${1 + n(6)}` : ''}`);
        break;
      }
      case 5: out.push(`\t.p2align ${n(4)}`); break;
      case 6: out.push(`\t.fill ${n(5)}, ${pick([1, 2, 4, 8])}, ${n(100000)}`); break;
      case 7: out.push(`\t.skip ${n(6)}, ${n(256)}`); break;
      case 8: out.push(`\t.org . + ${n(5)}, ${n(256)}`); break;
      case 9: out.push(`\t.rept ${n(3)}`, `\t.byte ${k}`, `\t.endr`, `\t.irp v, ${n(9)}, ${n(9)}`, `\t.byte \\v`, `\t.endr`); break;
      case 10: out.push(`\tm${i} ${n(7)}${r() < 0.5 ? `, ${n(9)}` : ''}`); break;
      case 11: localCount++; out.push(`1:\t.byte ${n(256)}`, `\t.long 1b - ${pick(labels)}${localCount > 1 || r() < 0.5 ? '' : ', 1f - 1b'}`); if (!(localCount > 1) && out[out.length - 1].includes('1f')) out.push(`1:\t.byte 0`); break;
      default: out.push(`b${i}_e${k} = ${n(1000)} + ${k}`, `\t.word b${i}_e${k}`); break;
    }
  }
  return out.join('\n');
}

test('150 random blocks assemble byte-identically to GNU as (sections and symbols)', (t) => {
  if (!requireTools(t, ['as'])) return;
  const r = seededRandom(Number(process.env.GAS_RANDOM_SEED ?? 424242));
  const blocks: string[] = [];
  for (let i = 0; i < 150; i++) blocks.push(block(i, r));
  const src = blocks.join('\n') + '\n';
  const gnu = gnuAssemble(src);
  assert.ok(gnu.ok, gnu.messages.slice(0, 5).join('\n'));
  const a = analyze(new MemoryFileSystem({ '/r.s': src }), '/r.s', { preprocess: false });
  assert.deepEqual(
    a.diagnostics.map((d) => `${d.origin.range.line + 1}: ${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.message}`),
    gnu.messages,
  );
  let bytes = 0;
  const bad: string[] = [];
  for (const [name, b] of gnu.sections) {
    if (!/^\.b\d+$/.test(name)) continue;
    const mine = a.sections.find((s) => s.name === name);
    if (hex(mine?.bytes) !== hex(b)) bad.push(`${name}: ours ${hex(mine?.bytes)}\n   GNU ${hex(b)}`);
    bytes += b.length;
  }
  let symbols = 0;
  for (const g of gnu.symbols) {
    if (!g.name || g.type > 2 || g.section === '*UND*') continue;
    const mine = a.symbols.get(g.name);
    if (mine?.section !== g.section || BigInt.asUintN(64, mine?.value ?? -1n) !== g.value)
      bad.push(`${g.name}: ours ${mine?.section}+${mine?.value}, GNU ${g.section}+${g.value}`);
    symbols++;
  }
  console.log(`gas random programs: 150 blocks, ${bytes} bytes, ${symbols} symbols compared with GNU as`);
  assert.deepEqual(bad.slice(0, 5), []);
});

function codeBlock(i: number, r: () => number): string {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const n = (max: number) => Math.floor(r() * max);
  const mode = pick([16, 32, 64]);
  const count = 8 + n(16);
  const all = Array.from({ length: count }, (_, k) => `c${i}_l${k}`);
  const out = [`\t.section .c${i}, "ax"`, `\t.code${mode}`];
  const ax = mode === 16 ? '%ax' : '%eax';
  const si = mode === 16 ? '%si' : '%esi';
  const di = mode === 16 ? '%di' : '%edi';
  const suf = mode === 16 ? 'w' : 'l';
  for (let k = 0; k < count; k++) {
    out.push(`${all[k]}:`);
    const diff = () => `(${pick(all)} - ${pick(all.slice(0, k + 1))})`;
    switch (n(10)) {
      case 0: out.push(`\tjmp ${pick(all)}`); break;
      case 1: out.push(`\t${pick(['jz', 'jnz', 'jc', 'jg', 'jle'])} ${pick(all)}`); break;
      case 2: out.push(`\tmov${suf} $${diff()}, ${ax}`); break;
      case 3: out.push(`\tadd${suf} $${diff()}, ${ax}`); break;
      case 4: out.push(`\tmov${suf} ${diff()}(${si}), ${ax}`); break;
      case 5: out.push(`\tlea${suf} ${diff()}(${si}), ${di}`); break;
      case 6: out.push(`\t.fill ${n(140)}, 1, 0x90`); break;
      case 7: out.push(`\t.balign ${pick([4, 8, 16, 32])}`); break;
      case 8: out.push(`\tcall ${pick(all)}`); break;
      default: out.push(`\tnop`, `\tcmp${suf} $${n(300)}, ${ax}`); break;
    }
  }
  return out.join('\n');
}

test('120 random code blocks (branches, label arithmetic in operands, padding) match GNU as in every mode', (t) => {
  if (!requireTools(t, ['as'])) return;
  const r = seededRandom(Number(process.env.GAS_RANDOM_SEED ?? 77));
  const src = Array.from({ length: 120 }, (_, i) => codeBlock(i, r)).join('\n') + '\n';
  if (process.env.GAS_DUMP) writeFileSync(join(tmpdir(), 'gas-random-code.s'), src);
  const gnu = gnuAssemble(src);
  assert.ok(gnu.ok, gnu.messages.slice(0, 5).join('\n'));
  const a = analyze(new MemoryFileSystem({ '/c.s': src }), '/c.s', { preprocess: false });
  assert.deepEqual(a.diagnostics.map((d) => `${d.origin.range.line + 1}: ${d.message}`), []);
  const bad: string[] = [];
  let bytes = 0;
  for (const [name, b] of gnu.sections) {
    if (!/^\.c\d+$/.test(name)) continue;
    const mine = a.sections.find((s) => s.name === name);
    if (hex(mine?.bytes) !== hex(b)) bad.push(`${name}: ours ${hex(mine?.bytes)}\n   GNU ${hex(b)}`);
    bytes += b.length;
  }
  console.log(`gas random code: 120 blocks, ${bytes} bytes compared with GNU as`);
  assert.deepEqual(bad.slice(0, 3), []);
});

function macroProgram(r: () => number): string {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const n = (max: number) => Math.floor(r() * max);
  const out = ['\t.data'];
  interface M {
    name: string;
    params: { name: string; def?: string; req?: boolean; vararg?: boolean }[];
  }
  const macros: M[] = [];
  for (let i = 0; i < 40; i++) {
    const params: M['params'] = [];
    const np = n(4);
    for (let k = 0; k < np; k++) {
      const p: M['params'][number] = { name: `p${k}` };
      const kind = n(4);
      if (kind === 0) p.def = String(n(50));
      else if (kind === 1) p.req = true;
      params.push(p);
    }
    if (r() < 0.3) params.push({ name: 'rest', vararg: true });
    const m: M = { name: `mac${i}`, params };
    const sep = pick([' ', ', ']);
    out.push(`\t.macro ${m.name}${params.length ? ' ' : ''}${params.map((p) => `${p.name}${p.req ? ':req' : p.vararg ? ':vararg' : ''}${p.def !== undefined ? `=${p.def}` : ''}`).join(sep)}`);
    out.push(`.Lm\\@_${i}:\t.byte \\@ & 0xff`);
    for (const p of params) {
      if (p.vararg) out.push(`\t.ifnb \\${p.name}`, `\t.byte \\${p.name}`, `\t.endif`);
      else out.push(`\t.ifb \\${p.name}`, `\t.byte 0xbb`, `\t.else`, `\t.byte \\${p.name}`, `\t.ifc \\${p.name},7`, `\t.byte 0x77`, `\t.endif`, `\t.endif`);
    }
    out.push(`\t.long .Lm\\@_${i} - .`);
    if (macros.length && r() < 0.4) {
      const callee = pick(macros);
      out.push(`\t${call(callee)}`);
    }
    if (r() < 0.2) out.push(`\t.if \\@ & 1`, `\t.exitm`, `\t.endif`, `\t.byte 0xe1`);
    out.push(`\t.endm`);
    macros.push(m);
    for (let c = 0; c < 1 + n(3); c++) out.push(`\t${call(m)}`);
  }
  function call(m: M): string {
    const args: string[] = [];
    let keyword = r() < 0.4;
    for (const p of m.params) {
      if (p.vararg) {
        if (!keyword && r() < 0.6) args.push(`${n(9)}, ${n(9)}`);
        continue;
      }
      const give = p.req || r() < 0.6;
      const v = pick([String(n(20)), '7', `(${n(5)} + ${n(5)})`]);
      if (keyword) {
        if (give) args.push(`${p.name}=${v}`);
      } else if (give) args.push(v);
      else {
        keyword = true;
      }
    }
    return `${m.name} ${args.join(keyword ? ', ' : pick([', ', ' ']))}`;
  }
  return out.join('\n') + '\n';
}

/**
 * Assembles each program with GNU as (-Z: it writes its object even after errors, so error recovery is compared
 * too) and with us: the sections' bytes and every message must agree. `unordered`: GNU reports some write-time
 * problems once per pass over the section and after the others; those are compared as a set. `more` checks
 * anything else (symbols) on each pair.
 */
function compareDataPrograms(
  programs: string[],
  dumpName: string,
  unordered = false,
  sections: readonly string[] = ['.data'],
  more?: (ours: ReturnType<typeof analyze>, gnu: ReturnType<typeof gnuAssemble>, k: number) => void,
): { bytes: number; messages: number } {
  let bytes = 0;
  let messages = 0;
  programs.forEach((src, k) => {
    if (process.env.GAS_DUMP) writeFileSync(join(tmpdir(), `${dumpName}-${k}.s`), src);
    const gnu = gnuAssemble(src, ['-Z']);
    const a = analyze(new MemoryFileSystem({ '/p.s': src }), '/p.s', { preprocess: false });
    const ours = a.diagnostics.map((d) => `${d.origin.range.line + 1}: ${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.message}`);
    const theirs = unordered ? [...new Set(gnu.messages)].sort() : gnu.messages;
    assert.deepEqual(unordered ? ours.sort() : ours, theirs, `program ${k}`);
    for (const name of sections) {
      const g = gnu.sections.get(name) ?? new Uint8Array(0);
      assert.equal(hex(a.sections.find((x) => x.name === name)?.bytes ?? new Uint8Array(0)), hex(g), `program ${k} ${name}`);
      bytes += g.length;
    }
    more?.(a, gnu, k);
    messages += theirs.length;
  });
  return { bytes, messages };
}

test('random macro programs (defaults, :req, :vararg, keyword and positional calls, \\@, .exitm) match GNU as', (t) => {
  if (!requireTools(t, ['as'])) return;
  const r = seededRandom(Number(process.env.GAS_RANDOM_SEED ?? 99));
  const { bytes } = compareDataPrograms(Array.from({ length: 5 }, () => macroProgram(r)), 'gas-random-macro');
  console.log(`gas random macros: 5 programs, ${bytes} bytes compared with GNU as`);
});

/** Macro bodies built from the constructs kernel macros use, calling earlier macros with expression arguments. */
function macroBodyProgram(r: () => number): string {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const n = (max: number) => Math.floor(r() * max);
  const out = ['\t.data'];
  const macros: { name: string; params: string[] }[] = [];
  for (let i = 0; i < 30; i++) {
    const params = Array.from({ length: 1 + n(3) }, (_, k) => `a${k}`);
    const name = `m${i}`;
    out.push(`\t.macro ${name} ${params.map((p, k) => (k === 0 && r() < 0.3 ? `${p}=${n(9)}` : p)).join(', ')}`);
    for (let b = 0; b < 2 + n(4); b++) {
      const p = pick(params);
      switch (n(11)) {
        case 0: out.push(`\t.irp v, \\${p}, ${n(9)}`, '\t.byte \\v', '\t.endr'); break;
        case 1: out.push(`\t.irpc c, ${n(1000)}`, '\t.byte \\c', '\t.endr'); break;
        case 2: out.push(`\t.ifnc \\${p},${n(5)}`, `\t.byte ${0x10 + n(200)}`, '\t.else', '\t.byte 0xcc', '\t.endif'); break;
        case 3: out.push(`sym_${i}_\\@\\():`, '\t.byte \\@ & 0x7f'); break;
        case 4: out.push(`\t.rept (\\${p}) & 3`, `\t.byte ${n(256)}`, '\t.endr'); break;
        case 5: out.push(`\t.ascii "\\${p}"`); break;
        // Concatenation: a 0 argument before a digit makes an octal number GNU stops reading at 8 or 9.
        case 6: out.push(`\t.byte \\${p}\\()${n(10)} & 0xff`); break;
        case 7: out.push(`\t.if \\${p} > ${n(8)}`, `\t.word \\${p} * 3`, `\t.elseif \\${p} == ${n(8)}`, '\t.word 0xeeee', '\t.else', '\t.word 0x1111', '\t.endif'); break;
        case 8: if (macros.length) { const c = pick(macros); out.push(`\t${c.name} ${c.params.map(() => `(\\${p}+${n(3)})`).join(', ')}`); } break;
        case 9: out.push(`\t.ifb \\${p}`, '\t.byte 0xb0', '\t.endif', `\t.ifnb \\${p}`, `\t.byte \\${p}`, '\t.endif'); break;
        default: out.push(`\t.byte \\${p}`); break;
      }
    }
    out.push('\t.endm');
    for (let c = 0; c < 1 + n(3); c++) {
      const args = params.map(() => pick([String(n(9)), `(${n(4)}+${n(4)})`, `${n(3)} + ${n(3)}`, `${n(3)}+${n(3)}`]));
      out.push(`\t${name} ${args.join(pick([', ', ',']))}`);
    }
    macros.push({ name, params });
    if (r() < 0.1) {
      out.push(`\t.purgem ${name}`);
      macros.pop();
    }
  }
  return out.join('\n') + '\n';
}

test('random macro bodies (.irp, .irpc, \\(), .ifnc, .elseif, .rept, nested calls, .purgem) match GNU as', (t) => {
  if (!requireTools(t, ['as'])) return;
  const r = seededRandom(Number(process.env.GAS_RANDOM_SEED ?? 31));
  const { bytes, messages } = compareDataPrograms(Array.from({ length: 6 }, () => macroBodyProgram(r)), 'gas-random-macro-body');
  console.log(`gas random macro bodies: 6 programs, ${bytes} bytes and ${messages} messages compared with GNU as`);
});

/** Data directives of every kind GNU as has for bytes, with numbers, characters and label differences. */
function dataDirectiveProgram(r: () => number): string {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const n = (max: number) => Math.floor(r() * max);
  const value = () => pick([String(n(300)), `-${n(200)}`, `0x${n(0xffff).toString(16)}`, `(${n(9)}*${n(9)})`, `lab${n(5)}-lab${n(5)}`, `'${String.fromCharCode(97 + n(26))}`]);
  const directives: (() => string)[] = [
    () => `.byte ${value()}, ${value()}`, () => `.hword ${value()}`, () => `.short ${value()}`, () => `.2byte ${value()}`, () => `.4byte ${value()}`,
    () => `.8byte ${value()}`, () => `.int ${value()}`, () => `.value ${value()}`, () => `.quad ${value()}`, () => `.octa ${value()}`,
    () => `.word ${value()}`, () => `.long ${value()}`, () => `.slong ${value()}`,
    () => `.dc.b ${value()}`, () => `.dc.w ${value()}`, () => `.dc.l ${value()}`, () => `.dc.a ${value()}`, () => `.dc ${value()}`,
    () => `.uleb128 ${n(100000)}`, () => `.sleb128 -${n(100000)}`, () => `.sleb128 ${n(300)}`, () => `.uleb128 ${n(3)}, ${n(200)}`,
    () => `.zero ${n(5)}`, () => `.space ${n(5)}, ${n(256)}`, () => `.skip ${n(4)}`, () => `.fill ${n(3)}, ${pick([1, 2, 4, 8])}, ${value()}`,
    () => `.ds.${pick(['b', 'w', 'l', 'd', 's', 'x', 'p'])} ${n(3)}`, () => `.ds.b ${n(4)}, ${n(256)}`, () => `.dcb.${pick(['b', 'w', 'l'])} ${n(3)}, ${n(70000)}`,
    () => `.dcb.${pick(['s', 'd'])} ${n(3)}, ${n(100)}.${n(100)}`,
    // Wide fills after .balign 4, so the padding is always a whole number of fill units.
    () => `.balign 4\n\t.balignw ${pick([4, 8])}, 0x${n(0xffff).toString(16)}`, () => `.balign 4\n\t.balignl ${pick([4, 8, 16])}, 0x${n(0xffff).toString(16)}`,
    () => `.balign 4\n\t.p2alignw ${2 + n(3)}, 0x1234`, () => `.align ${pick([1, 2, 4, 8])}`, () => `.balign ${pick([2, 4, 8])}, ${n(256)}, ${n(4)}`,
    () => `.nops ${n(12)}`, () => `.nops ${n(12)}, ${n(8)}`, () => `.nop`,
    () => `.string16 "ab${n(9)}"`, () => `.string32 "x${n(9)}"`, () => `.string64 "y"`, () => `.string8 "q"`, () => `.asciz "z${n(99)}"`,
    () => `.float ${n(100)}.${n(100)}`, () => `.double -${n(100)}.5`, () => `.single 1.${n(1000)}e${n(5)}`, () => `.dc.s 0f${n(9)}.25`,
    () => `.org . + ${n(4)}`,
  ];
  const out = ['\t.data'];
  const defined = new Set<number>();
  for (let i = 0; i < 120; i++) {
    const l = n(5);
    if (r() < 0.05 && !defined.has(l)) {
      out.push(`lab${l}:`);
      defined.add(l);
    }
    out.push('\t' + pick(directives)());
  }
  for (let l = 0; l < 5; l++) out.push(`${defined.has(l) ? '' : `lab${l}:`} .byte ${l}`);
  return out.join('\n') + '\n';
}

test('random data directives (integers, LEB128, floats, wide strings, .ds/.dcb, fills, alignment, .nops) match GNU as', (t) => {
  if (!requireTools(t, ['as'])) return;
  const r = seededRandom(Number(process.env.GAS_RANDOM_SEED ?? 17));
  const { bytes, messages } = compareDataPrograms(Array.from({ length: 8 }, () => dataDirectiveProgram(r)), 'gas-random-data', true);
  console.log(`gas random data directives: 8 programs, ${bytes} bytes and ${messages} messages compared with GNU as`);
});

/** Section switching as kernel code does it: .section with attributes, .pushsection/.popsection, .previous, subsections. */
function sectionProgram(r: () => number): string {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const n = (max: number) => Math.floor(r() * max);
  const out: string[] = [];
  let labels = 0;
  let pushed = 0;
  for (let i = 0; i < 150; i++) {
    switch (n(12)) {
      case 0: out.push(`\t.section ${pick(SECTIONS)}${r() < 0.5 ? `, "a${r() < 0.5 ? 'w' : ''}"` : ''}`); break;
      case 1: out.push(`\t.pushsection ${pick(SECTIONS)}${r() < 0.3 ? `, ${n(3)}` : ''}`); pushed++; break;
      case 2: if (pushed) { out.push('\t.popsection'); pushed--; } break;
      case 3: out.push('\t.previous'); break;
      case 4: out.push(`\t.subsection ${n(4)}`); break;
      case 5: out.push(`\t${pick(['.text', '.data'])} ${r() < 0.3 ? n(3) : ''}`); break;
      case 6: out.push(`L${labels++}:`); break;
      case 7: out.push(`\t.byte ${n(256)}, ${labels ? `L${n(labels)} - L${n(labels)}` : '0'}`); break;
      case 8: out.push(`\t.balign ${pick([2, 4, 8])}`); break;
      case 9: out.push(`\t.long ${labels ? `L${n(labels)} - L${n(labels)}` : '0'}`); break;
      case 10: out.push(`\t.set S${n(5)}, ${labels ? `L${n(labels)} + ${n(9)}` : n(9)}`); break;
      default: out.push(`\t.word ${n(65536)}`); break;
    }
  }
  return out.join('\n') + '\n';
}
const SECTIONS = ['.text', '.data', '.rodata', '.sa', '.sb'];

test('random section switching (.section attributes, push/pop, .previous, subsections, .set) matches GNU as', (t) => {
  if (!requireTools(t, ['as'])) return;
  const r = seededRandom(Number(process.env.GAS_RANDOM_SEED ?? 23));
  let symbols = 0;
  const { bytes } = compareDataPrograms(Array.from({ length: 6 }, () => sectionProgram(r)), 'gas-random-sections', true, SECTIONS, (a, gnu, k) => {
    for (const g of gnu.symbols) {
      if (!/^[LS]\d+$/.test(g.name)) continue;
      const mine = a.symbols.get(g.name);
      assert.equal(`${mine?.section}+${BigInt.asUintN(64, mine?.value ?? -1n)}`, `${g.section}+${g.value}`, `program ${k} ${g.name}`);
      symbols++;
    }
  });
  console.log(`gas random sections: 6 programs, ${bytes} bytes and ${symbols} symbols compared with GNU as`);
});

/**
 * Every .if family directive, nested and with .else/.elseif, over symbols defined before, after, never, or again
 * (a reference keeps the definition of its time, or meets the first one after it).
 */
function conditionalProgram(r: () => number): string {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const n = (max: number) => Math.floor(r() * max);
  const word = () => pick(['abc', 'ab', '"abc"', '"a b"', '', 'x y', '1', '01']);
  const out = ['\t.data'];
  for (let i = 0; i < 60; i++) {
    const sym = `s${n(6)}`;
    const conditions = [
      () => `.ifdef ${sym}`, () => `.ifndef ${sym}`, () => `.ifnotdef ${sym}`, () => `.ifc ${word()},${word()}`, () => `.ifnc ${word()},${word()}`,
      () => `.ifeqs "${pick(['a', 'ab', ''])}","${pick(['a', 'ab', ''])}"`, () => `.ifnes "${pick(['a', 'b'])}", "${pick(['a', 'b'])}"`,
      () => `.if ${sym} ${pick(['==', '!=', '>', '<'])} ${n(5)}`, () => `.ifeq ${n(3)} - 1`, () => `.ifne ${n(2)}`, () => `.ifgt ${n(3)} - 1`,
      () => `.ifge -${n(2)}`, () => `.iflt ${n(3)} - 1`, () => `.ifle ${n(2)}`, () => `.ifb ${pick(['', ' ', 'x'])}`, () => `.ifnb ${pick(['', 'x'])}`,
    ];
    switch (n(6)) {
      case 0:
      case 1:
        out.push(r() < 0.5 ? `${sym} = ${n(5)}` : `\t.set ${sym}, ${n(5)}`);
        break;
      case 2:
        out.push('\t' + pick(conditions)(), `\t.byte ${i}`);
        if (r() < 0.4) out.push('\t' + pick(['.else', '.elseif 1', '.elseif 0']), `\t.byte ${100 + i}`);
        out.push('\t.endif');
        break;
      case 3:
        out.push('\t' + pick(conditions)(), '\t' + pick(conditions)(), `\t.byte ${i}`, '\t.else', `\t.byte ${(200 + i) & 0xff}`, '\t.endif', '\t.endif');
        break;
      default:
        out.push(`\t.byte ${sym}`);
    }
  }
  for (let k = 0; k < 6; k++) out.push(`s${k}_end: .byte ${k}`);
  return out.join('\n') + '\n';
}

test('random conditionals (.if family over symbols defined before, after or never; strings; nesting) match GNU as', (t) => {
  if (!requireTools(t, ['as'])) return;
  const r = seededRandom(Number(process.env.GAS_RANDOM_SEED ?? 41));
  const { bytes, messages } = compareDataPrograms(Array.from({ length: 8 }, () => conditionalProgram(r)), 'gas-random-conditionals', true);
  console.log(`gas random conditionals: 8 programs, ${bytes} bytes and ${messages} messages compared with GNU as`);
});

/** Branches relaxing across subsections: code read in one order and laid out in another, with local labels and loop. */
function subsectionCodeProgram(r: () => number): string {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const n = (max: number) => Math.floor(r() * max);
  const out = ['\t.text', `\t.code${pick([16, 32, 64])}`];
  const labels = Array.from({ length: 40 + n(40) }, (_, i) => `t${i}`);
  let next = 0;
  for (let i = 0; i < 160; i++) {
    switch (n(10)) {
      case 0: out.push(`\t.subsection ${n(3)}`); break;
      case 1: if (next < labels.length) out.push(`${labels[next++]}:`); break;
      case 2: out.push(`\tjmp ${pick(labels)}`); break;
      case 3: out.push(`\t${pick(['jz', 'jnz', 'jc', 'jl'])} ${pick(labels)}`); break;
      case 4: out.push(`\t.fill ${n(130)}, 1, 0x90`); break;
      case 5: out.push(`\t.balign ${pick([2, 4, 16])}`); break;
      case 6: out.push(`\tloop ${pick(labels.slice(0, Math.max(1, next)))}`); break;
      case 7: out.push('1:\tnop', '\tjmp 1b', '\tjmp 1f', '1:'); break;
      case 8: out.push('\t.previous'); break;
      default: out.push(`\tmovl $${n(1000)}, %eax`); break;
    }
  }
  while (next < labels.length) out.push(`${labels[next++]}:`);
  return out.join('\n') + '\n';
}

test('random code across subsections (relaxation, local labels, loop out of range) matches GNU as', (t) => {
  if (!requireTools(t, ['as'])) return;
  const r = seededRandom(Number(process.env.GAS_RANDOM_SEED ?? 53));
  const { bytes, messages } = compareDataPrograms(Array.from({ length: 8 }, () => subsectionCodeProgram(r)), 'gas-random-subsections', true, ['.text']);
  console.log(`gas random subsections: 8 programs, ${bytes} bytes and ${messages} messages compared with GNU as`);
});

/**
 * Macro, .irp and .irpc arguments as GNU splits them: positional ones separated by commas or blanks, keyword ones, a
 * :vararg tail, parenthesised commas, quoted strings with blanks and commas, memory operands, character constants
 * (GNU's scrubber makes them numbers first and drops the blanks after one, so `'c x` passes 99x). Each call in a
 * section of its own.
 */
function macroArgumentProgram(r: () => number, calls: number): string {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const n = (max: number) => Math.floor(r() * max);
  const tokens = ['1', 'x', 'ab', '(1, 2)', '(1,2)', '"a b"', '"a,b"', '1 + 2', '1+2', '-1', '%eax', '4(%ebx)', '(%ebx,%ecx,2)', '$3', 'foo bar', '""', "'c", '0x10'];
  const out = ['\t.macro m a, b, c:vararg', '\t.ascii "<\\a|\\b|\\c>"', '\t.endm', '\t.macro k x=7, y', '\t.ascii "[\\x,\\y]"', '\t.endm'];
  for (let i = 0; i < calls; i++) {
    const kind = r();
    const call =
      kind < 0.25 ? `k ${pick(['', `x=${pick(tokens)}`, `y=${pick(tokens)}`, 'x=1, y=2', `y=${pick(tokens)}, x=${pick(tokens)}`])}`
      : kind < 0.35 ? `.irp v, ${Array.from({ length: n(4) }, () => pick(tokens)).join(pick([', ', ',', ' ']))}\n\t.ascii "<\\v>"\n\t.endr`
      : kind < 0.45 ? `.irpc ch, ${pick(['abc', '1 2', 'a,b', '"xy"', "'c", '(1)', ''])}\n\t.ascii "<\\ch>"\n\t.endr`
      : `m ${Array.from({ length: n(5) }, () => pick(tokens)).join(pick([', ', ',', ' ']))}`;
    out.push(`\t.section .s${i}`, `\t${call}`);
  }
  return out.join('\n') + '\n';
}

test('random macro, .irp and .irpc arguments (blanks, commas, keywords, :vararg, quotes, parentheses, character constants) split like GNU as', (t) => {
  if (!requireTools(t, ['as'])) return;
  const r = seededRandom(Number(process.env.GAS_RANDOM_SEED ?? 61));
  const sections = Array.from({ length: 200 }, (_, i) => `.s${i}`);
  const { bytes } = compareDataPrograms(Array.from({ length: 3 }, () => macroArgumentProgram(r, sections.length)), 'gas-random-macro-args', false, sections);
  console.log(`gas random macro arguments: 600 calls, ${bytes} bytes compared with GNU as`);
});

test('400 random strings with every escape form decode like GNU as', (t) => {
  if (!requireTools(t, ['as'])) return;
  const r = seededRandom(Number(process.env.GAS_RANDOM_SEED ?? 5));
  const pieces = ['\\n', '\\t', '\\b', '\\f', '\\r', '\\v', '\\\\', '\\"', '\\x41', '\\x4142', '\\x', '\\0', '\\07', '\\101', '\\777', '\\8', '\\9', '\\q', "\\'", '\\a', '\\e', '\\X7f', '\\12345', 'a', ' ', '#', ';', "'", '/*', 'é'];
  const lines = ['\t.data'];
  for (let i = 0; i < 400; i++) {
    let s = '';
    for (let k = Math.floor(r() * 7); k > 0; k--) s += pieces[Math.floor(r() * pieces.length)];
    lines.push(`\t${['.ascii', '.asciz', '.string'][i % 3]} "${s}"${r() < 0.3 ? ', "x"' : ''}`);
  }
  const src = lines.join('\n') + '\n';
  const gnu = gnuAssemble(src);
  assert.ok(gnu.ok, gnu.messages.slice(0, 3).join('\n'));
  const a = analyze(new MemoryFileSystem({ '/s.s': src }), '/s.s', { preprocess: false });
  assert.deepEqual(a.diagnostics.map((d) => d.message), []);
  assert.equal(hex(a.sections.find((s) => s.name === '.data')?.bytes), hex(gnu.sections.get('.data')));
});
