// Start-mode inference against the start each example is documented (and run on QEMU) with in
// examples/README.md, the seed's known AP entry, flat images built by GNU as/ld, and ambiguous sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inferStartFromImage, inferStartFromSource, START_MODES } from '../../extension/logic/start-inference';
import { example, lineIndex, read, readmeStarts, SEED } from './helpers';

test('every example infers the start mode its README row gives (the first one for ap / long64)', () => {
  const rows = readmeStarts();
  assert.ok(rows.size >= 15, `README table parsed: ${rows.size} rows`);
  for (const [path, starts] of rows) {
    const r = inferStartFromSource(read(example(path)));
    assert.equal(r.start, starts[0], `${path}: inferred ${r.start} (${r.evidence.map((e) => e.reason).join('; ')})`);
  }
});

test('the AP trampoline example names trampoline_start, on the page-aligned .code16 line', () => {
  const text = read(example('ap-trampoline/trampoline.S'));
  const r = inferStartFromSource(text);
  assert.equal(r.start, 'ap');
  assert.equal(r.entry, 'trampoline_start');
  const ap = r.evidence.find((e) => e.start === 'ap')!;
  assert.equal(ap.line, lineIndex(text, /^\s*\.code16\b/));
  // The file also has a 64-bit entry, offered second in the choices with its symbol.
  assert.deepEqual(r.choices.map((c) => c.start)[0], 'ap');
});

test('the seed trampoline_64_bsp.S is an AP trampoline entered at trampoline_data_bsp', () => {
  const text = read(SEED);
  const r = inferStartFromSource(text);
  assert.equal(r.start, 'ap');
  assert.equal(r.entry, 'trampoline_data_bsp');
  assert.equal(r.evidence.find((e) => e.start === 'ap')!.line, lineIndex(text, /^\s*\.code16\b/));
});

test('a boot signature without .org 510, or 16-bit code without page alignment, does not decide alone', () => {
  const weak = inferStartFromSource('\t.code16\n\t.text\nstart:\tcli\n\thlt\n\t.byte 0x55, 0xaa\n');
  assert.equal(weak.start, undefined);
  assert.deepEqual(new Set(weak.choices.map((c) => c.start)), new Set(START_MODES));
  assert.ok(weak.choices.every((c) => c.description.length > 20 && c.detail.length > 10));
  // Evidence first: the weak boot-sector and ap hints before the modes nothing points to.
  assert.deepEqual(weak.choices.slice(2).map((c) => c.start).sort(), ['long64', 'reset']);
});

test('two strong facts that disagree (boot signature and reset vector) leave the choice to the user', () => {
  const both = inferStartFromSource('.code16\n.org 510\n.byte 0x55, 0xaa\n.org 0xfff0\nljmp $0xf000, $0\n.org 0x10000\n');
  assert.equal(both.start, undefined);
  assert.deepEqual(both.choices.slice(0, 2).map((c) => c.start).sort(), ['boot-sector', 'reset']);
});

test('comments and immediates do not count: a 0x55AA compare and a commented .org 0xfff0', () => {
  const r = inferStartFromSource('\t.code16\n\t.balign 4096\nentry:\n\tcmpw $0xaa55, %bx\n# .org 0xfff0\n/* .byte 0x55, 0xaa\n.org 510 */\n');
  assert.equal(r.start, 'ap');
  assert.equal(r.entry, 'entry');
});

test('flat images built by GNU as and ld: boot sector and reset ROM recognised from their bytes', (t) => {
  const tools = ['gcc', 'as', 'ld'].every((b) => spawnSync('which', [b]).status === 0);
  if (!tools) {
    if (process.env.CI) assert.fail('GNU toolchain (gcc, as, ld) missing');
    t.skip('GNU toolchain missing');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'x86t-infer-'));
  try {
    const build = (src: string, ttext: string): Uint8Array => {
      const pre = execFileSync('gcc', ['-E', '-P', '-D__ASSEMBLY__', '-x', 'assembler-with-cpp', src], { encoding: 'latin1' });
      writeFileSync(join(dir, 'a.s'), pre);
      execFileSync('as', ['--64', '-o', join(dir, 'a.o'), join(dir, 'a.s')]);
      execFileSync('ld', ['-m', 'elf_x86_64', `-Ttext=${ttext}`, '-e', '0', '--oformat=binary', '-o', join(dir, 'a.bin'), join(dir, 'a.o')]);
      return readFileSync(join(dir, 'a.bin'));
    };
    const boot = build(example('boot-sector/long-mode-boot.S'), '0x7c00');
    assert.equal(boot.length, 512);
    assert.equal(inferStartFromImage(boot).start, 'boot-sector');
    const rom = build(example('real-mode/a20-unreal.S'), '0');
    assert.equal(rom.length, 0x10000);
    assert.equal(inferStartFromImage(rom).start, 'reset');
    // Neither: a few bytes of code.
    assert.equal(inferStartFromImage(new Uint8Array([0xfa, 0xf4])).start, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SMP: programs that send INIT/SIPI get more than one CPU, exactly the examples QEMU runs with -smp 4', async () => {
  const { EXAMPLES, REPO_ROOT } = await import('../machine/qemu/examples.js');
  const { withDefaults, configFor, dynamicConfigurations, SMP_CPUS } = await import('../../extension/logic/debug-config.js');
  const seen = new Set<string>();
  for (const fx of EXAMPLES) {
    if (seen.has(fx.path)) continue;
    seen.add(fx.path);
    const text = read(join(REPO_ROOT, fx.path));
    const r = inferStartFromSource(text);
    assert.equal(r.smp !== undefined, fx.cpus > 1, `${fx.path}: QEMU fixture runs with ${fx.cpus} CPU(s); inferred ${r.smp?.reason ?? 'none'}`);
    const config = withDefaults(configFor(fx.path), { cpus: 1, memory: 256 }, undefined, r);
    assert.equal(config.cpus ?? 1, fx.cpus > 1 ? SMP_CPUS : 1, fx.path);
    if (r.smp) {
      // The evidence points at a line that writes the ICR (offset 0x300 from the APIC base).
      assert.match(text.split('\n')[r.smp.line], /ICR/);
      assert.equal(withDefaults(configFor(fx.path), { cpus: 8, memory: 256 }, undefined, r).cpus, 8, 'the setting wins when it asks for more than one');
      assert.equal(withDefaults({ ...configFor(fx.path), cpus: 2 }, { cpus: 1, memory: 256 }, undefined, r).cpus, 2, 'launch.json wins');
      assert.ok(dynamicConfigurations(fx.path, r).every((c) => c.cpus === SMP_CPUS));
    }
  }
  assert.ok(seen.has('examples/smp-rom/smp-wakeup.S') && seen.has('examples/smp/five-level-aps.S') && seen.has('examples/interrupts/timers.S'));
  // The seed's BSP trampoline and the AP trampoline example wake nobody.
  assert.equal(inferStartFromSource(read(SEED)).smp, undefined);
});
