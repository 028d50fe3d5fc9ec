// The seed trampoline (../shared/seeds/trampoline_64_bsp.S), assembled by the project's own assembler, entered as
// an AP would be (real mode, CS = load >> 4, IP = 0) and run on the machine: it must reach 64-bit mode with CS.L=1
// and its 4 GiB identity map in place, producing the mode events in the order the code performs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { assemble } from '../../gas/index';
import { DiskFileSystem } from '../../cli/disk-fs';
import { Machine } from '../../machine/machine';
import { ExecutorUnderTest as BootExecutor } from './executor-under-test';
import { describeEvent, type MachineEvent } from '../../machine/events';
import { mappedRanges } from '../../machine/inspect';
import { ATTR_L, CS } from '../../machine/cpu/segment';

const SEED = resolve(__dirname, '../../../shared/seeds/trampoline_64_bsp.S');

test('trampoline_64_bsp.S entered as an AP reaches 64-bit mode with CS.L=1 and a 4 GiB identity map', (t) => {
  if (!existsSync(SEED)) {
    if (process.env.CI) assert.fail('seed missing');
    t.skip('seed missing');
    return;
  }
  const a = assemble(new DiskFileSystem(), SEED, {});
  assert.ok(a.ok, a.diagnostics.map((d) => d.message).join('\n'));
  const load = 0x10000;
  const m = new Machine({ memoryMiB: 64, executor: new BootExecutor() });
  m.start({ kind: 'ap', image: a.image, load });
  const events: MachineEvent[] = [];
  m.events.trace({ mode: true, paging: true, cr: true, msr: true, tables: true, exceptions: true }, (e) => events.push(e));
  m.events.stopOn({ mode: true });
  const cpu = m.cpus[0];
  for (let i = 0; i < 8 && cpu.mode !== 'long'; i++) {
    const r = m.run({ sliceInstructions: 500_000 });
    assert.equal(r.kind, 'event', r.message);
  }
  assert.equal(cpu.mode, 'long');
  assert.equal(cpu.codeSize, 64);
  assert.ok(cpu.seg[CS].attr & ATTR_L, 'CS.L = 1');
  assert.equal(cpu.seg[CS].selector, 0x10, '__KERNEL_CS');
  const sym = (n: string) => Number(a.analysis.symbols.get(n)!.value);
  assert.equal(cpu.ripLo, load + sym('startup_64_bsp') - sym('trampoline_data_bsp'), 'at startup_64_bsp');
  assert.deepEqual(
    mappedRanges(cpu).map((r) => [r.linear, r.physical, r.size, r.pageSize, r.writable, r.global]),
    [[0n, 0, 2 ** 32, 2 ** 21, true, false]],
    'one identity range of 4 GiB in 2 MiB pages (G set but CR4.PGE off)',
  );
  assert.equal(m.memory.read32(load + sym('trampoline_status_bsp') - sym('trampoline_data_bsp')), 0xa5a5a5a5, 'status marker written');
  assert.deepEqual(events.map(describeEvent), [
    'IDTR ← base 0x0 limit 0x0',
    `GDTR ← base 0x${(load + sym('tgdt_bsp') - sym('trampoline_data_bsp')).toString(16)} limit 0x20`,
    'mode real → protected',
    'CR0 0x60000010 → 0x60000011',
    'mode protected/16 → protected/32',
    `GDTR ← base 0x${(load + sym('gdt_bsp_64') - sym('trampoline_data_bsp')).toString(16)} limit 0x30`,
    'CR4 0x0 → 0x20',
    `CR3 0x0 → 0x${(load + sym('pgtable_bsp') - sym('trampoline_data_bsp')).toString(16)}`,
    'MSR_EFER 0x0 → 0x100',
    'mode protected → compat, paging none → 4-level',
    'CR0 0x60000011 → 0x80000011',
    'MSR_EFER 0x100 → 0x500',
    'mode compat/32 → long/64',
  ]);
});
