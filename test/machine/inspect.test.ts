// Debugger views: registers by name and bit, decoded GDT/IDT/TSS, coalesced mapped ranges, linear peeks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../machine/machine';
import { decodeDescriptorTable, decodeIdt, mappedRanges, peekLinear, readTss } from '../../machine/inspect';
import { readRegister, writeRegister } from '../../machine/registers';
import { loadTr } from '../../machine/cpu/segments';
import { descriptor, put64 } from './setup';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SEED_RUNS, SEEDS_DIR, buildExample } from './qemu/examples';
import { haveTool } from './qemu/qemu-oracle';
import { ExecutorUnderTest } from './executor-under-test';

function long64() {
  const m = new Machine({ memoryMiB: 64 });
  m.start({ kind: 'long64', image: new Uint8Array([0x90]), load: 0x200000 });
  return { m, cpu: m.cpus[0] };
}

test('registers by name, width and bit; writes keep mode and paging consistent', () => {
  const { cpu } = long64();
  assert.equal(writeRegister(cpu, 'rax', 0x1122334455667788n), undefined);
  assert.equal(readRegister(cpu, 'eax'), 0x55667788n);
  assert.equal(readRegister(cpu, '%ah'), 0x77n);
  assert.equal(readRegister(cpu, 'al'), 0x88n);
  writeRegister(cpu, 'eax', 0x1n);
  assert.equal(readRegister(cpu, 'rax'), 1n, '32-bit writes zero-extend');
  writeRegister(cpu, 'r9w', 0xbeefn);
  assert.equal(readRegister(cpu, 'r9'), 0xbeefn);
  assert.equal(readRegister(cpu, 'cr0.pg'), 1n);
  assert.equal(readRegister(cpu, 'efer.lma'), 1n);
  assert.equal(readRegister(cpu, 'eflags.iopl'), 0n);
  assert.equal(readRegister(cpu, 'cs'), 0x08n);
  assert.equal(readRegister(cpu, 'msr_efer'), readRegister(cpu, 'efer'));
  assert.equal(writeRegister(cpu, 'eflags.if', 1n), undefined);
  assert.equal(readRegister(cpu, 'eflags') ! & 0x200n, 0x200n);
  assert.equal(writeRegister(cpu, 'cr4.la57', 2n), 'cr4.la57 is 1 bit(s) wide');
  assert.match(writeRegister(cpu, 'zmm99', 0n) ?? '', /unknown register/);
  writeRegister(cpu, 'lstar', 0xffffffff81000000n);
  assert.equal(readRegister(cpu, 'MSR_LSTAR'), 0xffffffff81000000n);
  // Flip paging off from the Variables view: the mode follows.
  writeRegister(cpu, 'cr0.pg', 0n);
  assert.equal(cpu.paging, 'none');
});

test('GDT, IDT and TSS decoding in IA-32e mode', () => {
  const { m, cpu } = long64();
  const gdt = decodeDescriptorTable(cpu);
  assert.deepEqual(gdt.map((e) => [e.selector, e.kind, e.long]), [[0, 'null', false], [8, 'code', true], [0x10, 'data', false]]);
  assert.equal(gdt[1].typeName, 'code XR accessed');
  assert.equal(gdt[2].limit, 0xffffffff);
  // A 16-byte TSS descriptor and an IDT gate.
  put64(m, 0x300000, 0, 0x00af9b000000ffffn, descriptor(0x301000, 0x67, 0x89, 0), 0x1);
  cpu.gdtBase = 0x300000;
  cpu.gdtLimit = 0x1f;
  loadTr(cpu, 0x10);
  const g2 = decodeDescriptorTable(cpu);
  assert.equal(g2[2].typeName, 'TSS64 busy');
  assert.equal(g2[2].base, 0x1_0030_1000n, "base bits 63:32 from the upper half");
  cpu.tr.baseHi = 0; // point TR at the mapped copy below 4 GiB
  put64(m, 0x301000 + 4, 0x9000);
  const tss = readTss(cpu);
  assert.equal(tss?.fields.find((f) => f.name === 'RSP0')?.value, 0x9000n);
  put64(m, 0x302000 + 3 * 16, (BigInt(0x8e01) << 32n) | BigInt((0x08 << 16) | 0x1234), 0xffffffffn);
  cpu.idtBase = 0x302000;
  cpu.idtLimit = 4 * 16 - 1;
  const idt = decodeIdt(cpu);
  assert.equal(idt.length, 4);
  assert.deepEqual([idt[3].typeName, idt[3].offset, idt[3].ist, idt[3].present], ['interrupt gate 64', 0xffffffff00001234n, 1, true]);
  assert.equal(idt[0].present, false);
});

test('mapped ranges are coalesced: the long64 identity map is one 4 GiB range of 2 MiB pages', () => {
  const { m, cpu } = long64();
  const r = mappedRanges(cpu);
  assert.equal(r.length, 1);
  assert.deepEqual([r[0].linear, r[0].physical, r[0].size, r[0].pageSize, r[0].writable, r[0].user], [0n, 0, 2 ** 32, 2 ** 21, true, false]);
  // Make one 2 MiB page read-only: the range splits in three.
  const pd = Number(cpu.cr3Lo) + 0x2000;
  m.memory.write32(pd + 8, 0x200000 | 0x81);
  const r2 = mappedRanges(cpu);
  assert.deepEqual(r2.map((x) => [x.linear, x.size, x.writable]), [[0n, 2 ** 21, true], [0x200000n, 2 ** 21, false], [0x400000n, 2 ** 32 - 2 ** 22, true]]);
  m.memory.write32(0x1234, 0xcafef00d);
  assert.deepEqual([...peekLinear(cpu, 0x1234n, 4)!], [0x0d, 0xf0, 0xfe, 0xca]);
  assert.equal(peekLinear(cpu, 0x1_0000_0000n, 4), undefined);
});

test("GDT slot 0 stays the 8-byte null descriptor in IA-32e mode (the seed keeps its GDT pointer there)", (t) => {
  if (!existsSync(join(SEEDS_DIR, 'trampoline_64_bsp.S')) || !haveTool('as')) {
    if (process.env.CI) assert.fail('seed or GNU as missing');
    t.skip('seed or GNU as missing');
    return;
  }
  // GNU as builds the reference bytes; the machine runs them into 64-bit mode on the seed's gdt_bsp_64.
  const fixture = SEED_RUNS[0];
  const image = buildExample(fixture);
  const m = new Machine({ memoryMiB: 64, executor: new ExecutorUnderTest() });
  m.start({ kind: 'ap', image, load: fixture.load! });
  m.events.stopOn({ mode: true });
  const cpu = m.cpus[0];
  for (let i = 0; i < 16 && cpu.mode !== 'long'; i++) m.run({ sliceInstructions: 500_000 });
  assert.equal(cpu.mode, 'long');
  const gdtAt = cpu.gdtBase - fixture.load!;
  const slot = (i: number) => image.readBigUInt64LE(gdtAt + 8 * i);
  assert.notEqual(slot(0), 0n, 'slot 0 holds the GDT pointer (limit, base)');
  assert.equal(cpu.gdtLimit, 0x30, 'six 8-byte slots after lgdt');
  const gdt = decodeDescriptorTable(cpu);
  assert.deepEqual(
    gdt.map((e) => [e.selector, e.kind, e.raw]),
    [
      [0x00, 'null', BigInt(cpu.gdtLimit) | (BigInt(cpu.gdtBase) << 16n)], // the pointer the seed stored at run time
      [0x08, 'null', 0n],
      [0x10, 'code', slot(2) | (1n << 40n)], // the CS load set the accessed bit
      [0x18, 'data', slot(3)],
      [0x20, 'system', slot(4) | (slot(5) << 64n)],
    ],
    'selectors follow the GNU-assembled bytes 8 by 8; only the TSS takes 16 bytes',
  );
  const cs = gdt.find((e) => e.selector === cpu.seg[1 /* CS */].selector);
  assert.ok(cs?.long, 'the decoded entry at the live CS selector (__KERNEL_CS) is the 64-bit code segment');
  assert.equal(gdt[4].typeName, 'TSS64 available');
});
