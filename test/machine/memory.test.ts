// Physical memory: sparse allocation, ROM, MMIO, copy-on-write snapshots, the host-memory cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KIND_WATCH, PhysicalMemory } from '../../machine/memory/physical';
import { MachineStop } from '../../machine/stop';

test('a 4 GiB guest costs only the pages it touches', () => {
  const m = new PhysicalMemory({ ramBytes: 4 * 1024 ** 3 });
  assert.equal(m.allocatedBytes, 0);
  assert.equal(m.read32(0x12345678), 0);
  assert.equal(m.allocatedBytes, 0, 'reads of untouched RAM allocate nothing');
  m.write32(0x1000, 0xdeadbeef);
  m.write8(0xbfff_fffc, 0x5a);
  m.write16(0x1_2345_6000, 0x1234); // RAM above 4 GiB (4 GiB guest: 3 GiB low + 1 GiB high)
  assert.equal(m.allocatedBytes, 3 * 4096);
  assert.equal(m.read32(0x1000), 0xdeadbeef);
  assert.equal(m.read8(0xbfff_fffc), 0x5a);
  assert.equal(m.read16(0x1_2345_6000), 0x1234);
});

test('accesses crossing a page boundary are little-endian across both pages', () => {
  const m = new PhysicalMemory({ ramBytes: 1 << 20 });
  m.write32(0x1ffe, 0x11223344);
  assert.equal(m.read8(0x1ffe), 0x44);
  assert.equal(m.read8(0x2001), 0x11);
  assert.equal(m.read32(0x1ffe), 0x11223344);
  assert.equal(m.read16(0x1fff), 0x2233);
});

test('addresses with no RAM read as all ones and ignore writes', () => {
  const m = new PhysicalMemory({ ramBytes: 1 << 20 });
  assert.equal(m.read8(0x200000), 0xff);
  assert.equal(m.read32(0x200000), 0xffffffff);
  m.write32(0x200000, 0);
  assert.equal(m.read32(0x200000), 0xffffffff);
  assert.equal(m.allocatedBytes, 0);
});

test('ROM regions ignore writes and may be aliased', () => {
  const m = new PhysicalMemory({ ramBytes: 1 << 20 });
  const rom = new Uint8Array(0x10000);
  rom[0xfff0] = 0xea;
  m.mapRom(0xffff0000, rom);
  m.mapRom(0xf0000, rom);
  assert.equal(m.read8(0xfffffff0), 0xea);
  assert.equal(m.read8(0xffff0), 0xea);
  m.write8(0xffff0, 0x90);
  m.write32(0xfffffff0, 0);
  assert.equal(m.read8(0xffff0), 0xea);
  assert.equal(m.read8(0xfffffff0), 0xea);
});

test('MMIO ranges dispatch reads and writes with offsets and sizes', () => {
  const m = new PhysicalMemory({ ramBytes: 1 << 20 });
  const log: string[] = [];
  m.mapMmio(0xfee00000, 0x1000, {
    read: (o, s) => {
      log.push(`r${s}@${o.toString(16)}`);
      return 0x12345678;
    },
    write: (o, s, v) => void log.push(`w${s}@${o.toString(16)}=${v.toString(16)}`),
  });
  assert.equal(m.read32(0xfee00020), 0x12345678);
  m.write32(0xfee000b0, 0);
  m.write8(0xfee00300, 0xab);
  assert.deepEqual(log, ['r4@20', 'w4@b0=0', 'w1@300=ab']);
});

test('snapshots are copy-on-write: later writes do not change them, restore brings them back', () => {
  const m = new PhysicalMemory({ ramBytes: 16 << 20 });
  m.write32(0x1000, 1);
  m.write32(0x5000, 5);
  const s1 = m.snapshot();
  m.write32(0x1000, 2);
  m.write32(0x9000, 9);
  const s2 = m.snapshot();
  m.write32(0x1000, 3);
  m.restore(s1);
  assert.equal(m.read32(0x1000), 1);
  assert.equal(m.read32(0x5000), 5);
  assert.equal(m.read32(0x9000), 0);
  m.write32(0x5000, 55);
  m.restore(s2);
  assert.equal(m.read32(0x1000), 2);
  assert.equal(m.read32(0x9000), 9);
  assert.equal(m.read32(0x5000), 5);
  m.restore(s1);
  assert.equal(m.read32(0x5000), 5);
  assert.equal(m.read32(0x9000), 0);
});

test('the host-memory cap stops the machine with a clear reason', () => {
  const m = new PhysicalMemory({ ramBytes: 64 << 20, hostCapBytes: 4 * 4096 });
  for (let i = 0; i < 4; i++) m.write8(i * 4096, 1);
  assert.throws(
    () => m.write8(4 * 4096, 1),
    (e: unknown) => e instanceof MachineStop && e.reason.kind === 'memory-cap' && /cap/.test(e.reason.message),
  );
});

test('back-to-back snapshots share unchanged chunk tables and stay independent', () => {
  const m = new PhysicalMemory({ ramBytes: 16 << 20 });
  m.write32(0x1000, 1);
  const s1 = m.snapshot();
  const s2 = m.snapshot();
  m.write32(0x1000, 2);
  m.write32(0x402000, 7); // another chunk
  const s3 = m.snapshot();
  m.write32(0x1000, 3);
  m.restore(s2);
  assert.equal(m.read32(0x1000), 1);
  assert.equal(m.read32(0x402000), 0);
  m.write32(0x1000, 4);
  m.restore(s3);
  assert.equal(m.read32(0x1000), 2);
  assert.equal(m.read32(0x402000), 7);
  m.restore(s1);
  assert.equal(m.read32(0x1000), 1);
  assert.equal(m.read32(0x402000), 0);
});

test('host pages handed to TLBs stay valid only while the layout counter is unchanged', () => {
  const m = new PhysicalMemory({ ramBytes: 1 << 20 });
  m.lookUpHost(5);
  assert.equal(m.hostRead, null, 'unallocated RAM has no host page yet');
  let seen = m.layout;
  m.write32(0x5000, 1);
  assert.notEqual(m.layout, seen, 'allocation moves the layout');
  m.lookUpHost(5);
  assert.ok(m.hostRead !== null && m.hostWrite === m.hostRead);
  const page = m.hostWrite!;
  seen = m.layout;
  m.write32(0x5004, 2);
  assert.equal(m.layout, seen, 'a plain write to a private page changes nothing');
  const snap = m.snapshot();
  assert.notEqual(m.layout, seen, 'a snapshot shares every page');
  m.lookUpHost(5);
  assert.equal(m.hostWrite, null, 'a page shared with a snapshot is not writable in place');
  assert.equal(m.hostRead, page);
  seen = m.layout;
  m.write32(0x5000, 3);
  assert.notEqual(m.layout, seen, 'copy on write replaces the page');
  m.lookUpHost(5);
  assert.notEqual(m.hostRead, page);
  assert.equal(page[0], 1, 'the snapshot copy is untouched');
  seen = m.layout;
  m.restore(snap);
  assert.notEqual(m.layout, seen);
  for (const change of [() => m.setPageFlag(5, KIND_WATCH, true), () => m.mapMmio(0x6000, 0x1000, { read: () => 0, write: () => {} }), () => m.mapRom(0x7000, new Uint8Array(4096))]) {
    seen = m.layout;
    change();
    assert.notEqual(m.layout, seen);
  }
  m.lookUpHost(5);
  assert.equal(m.hostRead, null, 'a watched page is never read directly');
  m.lookUpHost(7);
  assert.ok(m.hostRead !== null && m.hostWrite === null, 'ROM: direct reads, no direct writes');
  m.lookUpHost(6);
  assert.equal(m.hostRead, null, 'MMIO: neither');
});
