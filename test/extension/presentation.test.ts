// Formatting and conversions with no adapter behind them: status text for every mode, page-map classes and
// legend, address parsing, Problems ranges, bit toggles, configurations, preprocessed links, walkthrough facts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatStatus, modeLabel } from '../../extension/logic/status';
import { accessClass, addHex, formatSize, LEGEND, mapModel, parseAddress } from '../../extension/logic/page-map';
import { LINE_END, problemsByFile } from '../../extension/logic/problems';
import { bitToggle, splitRegisterValue, toggledValue } from '../../extension/logic/control-regs';
import { configFor, debugFromHere, dynamicConfigurations, isEmptyConfig, withDefaults } from '../../extension/logic/debug-config';
import { inferStartFromSource } from '../../extension/logic/start-inference';
import { preprocessedLinks } from '../../extension/logic/virtual-docs';
import { firstModeSwitchLine } from '../../extension/logic/walkthrough';
import { example, lineIndex, read } from './helpers';

test('status: the mode names users read, paging only when on, the CPU when not the BSP', () => {
  assert.deepEqual(['real', 'protected', 'protected', 'compat', 'long', 'v86'].map((m, i) => modeLabel(m, [16, 16, 32, 32, 64, 16][i])),
    ['Real 16', 'Protected 16', 'Protected 32', 'Compat 32', 'Long 64', 'V86 16']);
  const base = { mode: 'long', bits: 64, paging: '5-level', instructionCount: 1234567, cpu: 0, state: 'stopped' as const };
  assert.equal(formatStatus(base).text, '$(chip) Long 64 · 5-level · 1,234,567 instr');
  assert.equal(formatStatus({ ...base, paging: 'none', mode: 'real', bits: 16, instructionCount: 0 }).text, '$(chip) Real 16 · 0 instr');
  assert.equal(formatStatus({ ...base, cpu: 2, paging: 'pae', mode: 'protected', bits: 32 }).text, '$(chip) CPU 2 Protected 32 · PAE · 1,234,567 instr');
  assert.match(formatStatus(base).tooltip, /paging 5-level/);
});

test('page map: permission classes, sizes, a legend entry per class, strips with gaps between ranges', () => {
  assert.deepEqual([[true, true], [true, false], [false, true], [false, false]].map(([writable, executable]) => accessClass({ writable, executable })), ['rwx', 'rw', 'rx', 'r']);
  for (const cls of ['rwx', 'rw', 'rx', 'r', 'user', 'global']) assert.ok(LEGEND.some((l) => l.cls === cls), cls);
  assert.equal(formatSize(4096), '4 KiB');
  assert.equal(formatSize(2 ** 32), '4 GiB');
  assert.equal(formatSize(3 * 4096), '12 KiB');
  assert.equal(addHex('0xffffffffffff0000', 0xffff), '0xffffffffffffffff');
  const m = mapModel({
    paging: '5-level', cr3: '0x1000',
    ranges: [
      { linear: '0x1000000000000', physical: '0x200000', size: 4096, writable: false, user: true, executable: false, global: false, pageSize: 4096 },
      { linear: '0x0', physical: '0x0', size: 2 ** 21, writable: true, user: false, executable: true, global: true, pageSize: 2 ** 21 },
    ],
  });
  assert.deepEqual(m.rows.map((r) => r.linear), ['0x0', '0x1000000000000']);
  assert.deepEqual(m.rows[1].classes, ['r', 'user', 'ps-4K']);
  assert.equal(m.rows[1].flags, 'R NX US');
  assert.equal(m.rows[1].identity, false);
  assert.deepEqual(m.strip.map((p) => p.kind), ['range', 'gap', 'range']);
  assert.equal(mapModel({ paging: 'none', cr3: '0x0', ranges: [] }).rows.length, 0);
});

test('addresses typed in "Translate address…"', () => {
  assert.equal(parseAddress('0xFFFF_FFFF_8100_0000'), '0xffffffff81000000');
  assert.equal(parseAddress('9000h'), '0x9000');
  assert.equal(parseAddress('4096'), '0x1000');
  assert.equal(parseAddress('0x1' + '0'.repeat(16)), undefined);
  assert.equal(parseAddress('rip'), undefined);
});

test('Problems: 1-based adapter positions become 0-based ranges; empty ranges reach the end of the line', () => {
  const p = problemsByFile({ program: 'a.S', diagnostics: [
    { file: '/x/a.S', line: 5, column: 9, endLine: 5, endColumn: 9, severity: 'error', message: 'bad' },
    { file: '/x/inc.h', line: 1, column: 1, endLine: 2, endColumn: 3, severity: 'warning', message: 'w', code: 'W1' },
  ] });
  assert.deepEqual(p.get('/x/a.S'), [{ line: 4, column: 8, endLine: 4, endColumn: LINE_END, severity: 'error', message: 'bad' }]);
  assert.deepEqual(p.get('/x/inc.h'), [{ line: 0, column: 0, endLine: 1, endColumn: 2, severity: 'warning', message: 'w', code: 'W1' }]);
});

test('bit toggles from the adapter\'s variable shapes', () => {
  const pe = bitToggle({ name: 'PE', value: '1', type: 'bit 0 — Protection enable', variablesReference: 0 })!;
  assert.deepEqual([pe.lsb, pe.width, pe.on, pe.writable, toggledValue(pe)], [0, 1, true, true, '0']);
  const iopl = bitToggle({ name: 'IOPL', value: '0x3', type: 'bits 13:12 — I/O privilege level', variablesReference: 0, presentationHint: { attributes: ['readOnly'] } })!;
  assert.deepEqual([iopl.lsb, iopl.width, iopl.on, iopl.writable], [12, 2, true, false]);
  assert.equal(bitToggle({ name: 'cr0', value: '0x11', variablesReference: 3 }), undefined);
  assert.deepEqual(splitRegisterValue('0x80000011 [PE ET PG]'), { hex: '0x80000011', set: ['PE', 'ET', 'PG'] });
});

test('configurations: empty F5 detection, machine defaults, dynamic list with the inferred start first', () => {
  assert.equal(isEmptyConfig({}), true);
  assert.equal(isEmptyConfig({ type: 'x86-trampoline' }), false);
  const c = withDefaults(configFor('/w/a.S', 'ap'), { cpus: 4, memory: 512 }, '/w');
  assert.deepEqual([c.cpus, c.memory, c.cwd, c.start, c.program], [4, 512, '/w', 'ap', '/w/a.S']);
  assert.equal(withDefaults({ ...configFor('/w/a.S'), cpus: 2 }, { cpus: 4, memory: 256 }).cpus, 2);
  assert.deepEqual(withDefaults(configFor('/w/a.S'), { cpus: 1, memory: 256, cpuid: { la57: true } }).cpuid, { la57: true });
  assert.deepEqual(withDefaults({ ...configFor('/w/a.S'), cpuid: { lm: false } }, { cpus: 1, memory: 256, cpuid: { la57: true } }).cpuid, { lm: false });
  const tramp = example('ap-trampoline/trampoline.S');
  const dyn = dynamicConfigurations(tramp, inferStartFromSource(read(tramp)));
  assert.deepEqual(dyn.map((d) => d.start), ['ap', 'reset', 'boot-sector', 'long64']);
  assert.equal(dyn[0].program, '${file}');
  assert.match(dyn[0].name, /inferred/);
  // The 64-bit configuration of an AP trampoline keeps its link address.
  assert.equal(dyn[3].load, '0x8000');
  // Code in a reset ROM is reached by running the ROM, even for a 64-bit symbol.
  const rom = example('paging/five-level.S');
  const p = debugFromHere(rom, { symbol: 'long_mode', start: 'long64', mode: 64 }, inferStartFromSource(read(rom)));
  assert.deepEqual([p.config.start, p.runTo, p.needsStart], ['reset', 'long_mode', false]);
});

test('preprocessed view: each line links from its origin comment to the source position', () => {
  const links = preprocessedLinks({ text: 'cli                                             # 59\n        mov %cs, %ax   # 60 <- M@3\n', origins: [
    { uri: 'file:///a.S', line: 58, character: 8, expansion: [] },
    { uri: 'file:///a.S', line: 59, character: 8, expansion: [] },
  ] });
  assert.equal(links.length, 2);
  assert.equal(links[0].target.line, 58);
  const l1 = 'cli                                             # 59';
  assert.equal(l1.slice(links[0].start, links[0].end), '59');
});

test('walkthrough: the first mode switch of the example is its lmsw', () => {
  const text = read(example('ap-trampoline/trampoline.S'));
  assert.equal(firstModeSwitchLine(text), lineIndex(text, /^\s*lmsw\s+%ax/));
  assert.equal(firstModeSwitchLine('\tmovl %eax, %cr0\n'), 0);
  assert.equal(firstModeSwitchLine('\tmovl %cr0, %eax\n'), -1);
});
