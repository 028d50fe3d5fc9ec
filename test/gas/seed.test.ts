// The seed trampoline (../shared/seeds/trampoline_64_bsp.S, real kernel-style code) must analyse with the
// built-in kernel headers and zero diagnostics, and its bytes must equal GNU as's on the same preprocessed text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyze } from '../../gas/index';
import { DiskFileSystem } from '../../cli/disk-fs';
import { gnuAssemble, hex, requireTools } from './toolchain';

const ROOT = resolve(__dirname, '../..');
const SEED = resolve(ROOT, '../shared/seeds/trampoline_64_bsp.S');
const CPP = resolve(ROOT, 'gas/cpp/index.ts');
const ENCODER = resolve(ROOT, 'isa/encoder.ts');

function prerequisites(t: import('node:test').TestContext): boolean {
  const missing = [
    !existsSync(SEED) && 'the seed file',
    !existsSync(CPP) && 'gas/cpp/index.ts (preprocessor with built-in headers)',
    !existsSync(ENCODER) && 'isa/encoder.ts',
  ].filter(Boolean);
  if (!missing.length) return true;
  if (process.env.CI) assert.fail(`missing ${missing.join(', ')}`);
  t.skip(`missing ${missing.join(', ')}`);
  return false;
}

test('trampoline_64_bsp.S analyses with zero diagnostics and every instruction encoded', (t) => {
  if (!prerequisites(t)) return;
  const a = analyze(new DiskFileSystem(), SEED, {});
  assert.deepEqual(
    a.diagnostics.map((d) => `${d.origin.range.file}:${d.origin.range.line + 1}: ${d.severity}: ${d.message}`),
    [],
  );
  const instructions = a.statements.filter((s) => s.kind === 'instruction');
  assert.ok(instructions.length > 80, `only ${instructions.length} instructions`);
  for (const s of instructions) assert.ok(s.instruction, `not parsed: ${s.text}`);
  const sec = a.sections.find((s) => s.name === '.x86_trampoline_bsp');
  assert.ok(sec && sec.size > 0x8000);
  for (const name of ['trampoline_data_bsp', 'startup_32_bsp', 'startup_64_bsp', 'tgdt_bsp', 'pgtable_bsp'])
    assert.equal(a.symbols.get(name)?.section, '.x86_trampoline_bsp', name);
});

test('trampoline_64_bsp.S bytes and symbols equal GNU as on the same preprocessed text', (t) => {
  if (!prerequisites(t) || !requireTools(t, ['as'])) return;
  const a = analyze(new DiskFileSystem(), SEED, {});
  const text = a.preprocessed!.lines.map((l) => l.text).join('\n') + '\n';
  const gnu = gnuAssemble(text);
  assert.ok(gnu.ok, gnu.messages.join('\n'));
  for (const [name, bytes] of gnu.sections) {
    if (name.startsWith('.note')) continue;
    const mine = a.sections.find((s) => s.name === name);
    assert.equal(hex(mine?.bytes ?? new Uint8Array(0)), hex(bytes), name);
  }
  let n = 0;
  for (const g of gnu.symbols) {
    if (!g.name || g.type > 2 || g.section === '*UND*') continue;
    const mine = a.symbols.get(g.name);
    assert.equal(mine?.section, g.section, g.name);
    assert.equal(mine?.value, g.value, g.name);
    assert.equal(mine?.size ?? 0n, g.size, `size of ${g.name}`);
    assert.equal(mine?.binding === 'global' ? 1 : mine?.binding === 'weak' ? 2 : 0, g.bind, `binding of ${g.name}`);
    n++;
  }
  console.log(`seed trampoline_64_bsp.S: ${gnu.sections.get('.x86_trampoline_bsp')?.length} bytes and ${n} symbols identical to GNU as`);
});
