// Paging walks in every format against the SDM (vol. 3A ch. 4): translations, accessed/dirty bits, #PF error codes
// and CR2, permission rules (WP, U/S, NX, SMEP, SMAP), TLB behaviour (INVLPG, CR3, globals, CR4 changes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeCr0, writeCr3, writeCr4, writeMsr } from '../../machine/cpu/control';
import { ACC_EXEC, ACC_READ, ACC_WRITE } from '../../machine/cpu/mmu';
import type { Cpu } from '../../machine/cpu/cpu';
import { faultOf, get64, newMachine, put64 } from './setup';
import { Machine } from '../../machine/machine';

const PE = 1, PG = 0x80000000, WP = 0x10000;
const PSE = 0x10, PAE = 0x20, PGE = 0x80, LA57 = 0x1000, SMEP = 0x100000, SMAP = 0x200000;
const EFER = 0xc0000080, LME = 0x100, NXE = 0x800;
const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
const XD = 1n << 63n;

function pageFault(cpu: Cpu, fn: () => unknown): { err: number; cr2: bigint } | null {
  const f = faultOf(fn);
  if (f === null) return null;
  assert.equal(f[0], 14, 'expected #PF');
  return { err: f[1], cr2: (BigInt(cpu.cr2Hi) << 32n) | BigInt(cpu.cr2Lo) };
}

/** 4-level paging (or 5-level) in IA-32e compatibility mode; tables at 0x100000. */
function longPaging(m: Machine, cpu: Cpu, opts: { la57?: boolean; nxe?: boolean; cr4?: number } = {}): void {
  writeCr0(cpu, PE);
  writeCr4(cpu, PAE | (opts.la57 ? LA57 : 0) | (opts.cr4 ?? 0));
  writeMsr(cpu, EFER, LME | (opts.nxe ? NXE : 0), 0);
  writeCr3(cpu, 0x100000);
  writeCr0(cpu, PE | PG);
}

test('32-bit paging: 4 KiB and 4 MiB (PSE) pages, A and D bits written back', () => {
  const { m, cpu } = newMachine();
  m.memory.write32(0x10000, 0x11000 | P | RW); // PDE 0 → page table
  m.memory.write32(0x11000 + 5 * 4, 0x345000 | P | RW); // PTE for 0x5000
  m.memory.write32(0x10000 + 2 * 4, 0x00c00000 | P | RW | PS); // 4 MiB page at 0x800000 → 0xC00000
  writeCr3(cpu, 0x10000);
  writeCr4(cpu, PSE);
  writeCr0(cpu, PE | PG);
  assert.equal(cpu.paging, '32-bit');
  assert.equal(cpu.mmu.translate(0x5abc, 0, ACC_READ), 0x345abc);
  assert.equal(m.memory.read32(0x10000) & (A | D), A, 'PDE accessed, never dirty');
  assert.equal(m.memory.read32(0x11014) & (A | D), A);
  cpu.mmu.translate(0x5abc, 0, ACC_WRITE);
  assert.equal(m.memory.read32(0x11014) & (A | D), A | D);
  assert.equal(cpu.mmu.translate(0x9abcde, 0, ACC_READ), 0xc00000 + 0x1abcde);
  assert.equal(m.memory.read32(0x10008) & A, A);
  // Not present: error code 0 for a supervisor read, 2 for a write; CR2 holds the address.
  assert.deepEqual(pageFault(cpu, () => cpu.mmu.translate(0x6000, 0, ACC_READ)), { err: 0, cr2: 0x6000n });
  assert.deepEqual(pageFault(cpu, () => cpu.mmu.translate(0x400123, 0, ACC_WRITE)), { err: 2, cr2: 0x400123n });
  // With PSE off the PS bit is ignored and the entry is a page-table pointer.
  writeCr4(cpu, 0);
  assert.equal(cpu.mmu.walk(0x800000, 0).levels.length, 2);
});

test('PAE paging: PDPTEs loaded on CR3 write; reserved PDPTE bits raise #GP', () => {
  const { m, cpu } = newMachine();
  put64(m, 0x20000, 0x21000 | P); // PDPTE 0
  put64(m, 0x21000, 0x22000 | P | RW, 0x400000 | P | RW | PS); // PDE 0 → PT, PDE 1 → 2 MiB page
  put64(m, 0x22000 + 3 * 8, 0x1_2345_6000 + P); // PTE above 4 GiB (PAE reaches 36+ bits)
  writeCr4(cpu, PAE);
  writeCr3(cpu, 0x20000);
  writeCr0(cpu, PE | PG);
  assert.equal(cpu.paging, 'pae');
  assert.equal(cpu.mmu.translate(0x3010, 0, ACC_READ), 0x1_2345_6010);
  assert.equal(cpu.mmu.translate(0x212345, 0, ACC_READ), 0x412345);
  put64(m, 0x30000, 0x21000 | P | RW); // RW is reserved in a PAE PDPTE
  assert.deepEqual(faultOf(() => writeCr3(cpu, 0x30000)), [13, 0]);
  assert.equal(cpu.cr3Lo, 0x20000, 'CR3 unchanged after the failed load');
  // Reserved bits in a PD entry → #PF with RSVD (and P) set.
  put64(m, 0x21000 + 2 * 8, 0x600000 | P | PS | 0x2000); // bit 13 reserved in a 2 MiB PDE
  assert.equal(pageFault(cpu, () => cpu.mmu.translate(0x400000, 0, ACC_READ))?.err, 0x9);
});

test('4-level paging with 1 GiB and 2 MiB pages; walk reports every level', () => {
  const { m, cpu } = newMachine();
  put64(m, 0x100000, 0x101000 | P | RW);
  put64(m, 0x101000, 0x102000 | P | RW, 0x80000000 | P | RW | PS); // PDPTE 1 = 1 GiB page at 2 GiB
  put64(m, 0x102000, 0x200000 | P | RW | PS | G);
  longPaging(m, cpu);
  assert.equal(cpu.paging, '4-level');
  assert.equal(cpu.mode, 'compat');
  assert.equal(cpu.mmu.translate(0x1234, 0, ACC_READ), 0x201234);
  assert.equal(cpu.mmu.translate(0x40123456, 0, ACC_READ), 0x80123456);
  const w = cpu.mmu.walk(0x40123456, 0);
  assert.deepEqual(w.levels.map((l) => l.name), ['PML4E', 'PDPTE']);
  assert.equal(w.pageSize, 1 << 30);
  const w2 = cpu.mmu.walk(0x1234, 0);
  assert.deepEqual(w2.levels.map((l) => [l.name, l.leaf]), [['PML4E', false], ['PDPTE', false], ['PDE', true]]);
  assert.equal(w2.global, false, 'G ignored while CR4.PGE = 0');
  assert.equal(cpu.mmu.walk(0x80000000, 0).faultErrorCode, 0);
});

test('5-level paging (LA57) walks PML5 → PML4 → PDPT → PD → PT and uses bits 56:48', () => {
  const { m, cpu } = newMachine();
  // Linear 0x0001_0000_0000_5000 + PML5 index 1? bits 56:48 = 1 → address 1 << 48.
  put64(m, 0x100000, 0x101000 | P | RW, 0x106000 | P | RW);
  put64(m, 0x101000, 0x102000 | P | RW);
  put64(m, 0x102000, 0x103000 | P | RW);
  put64(m, 0x103000, 0x104000 | P | RW);
  put64(m, 0x104000 + 5 * 8, 0x777000 | P | RW);
  put64(m, 0x106000, 0x102000 | P | RW); // PML5[1] shares the lower levels
  longPaging(m, cpu, { la57: true });
  assert.equal(cpu.paging, '5-level');
  assert.equal(cpu.mmu.translate(0x5008, 0, ACC_READ), 0x777008);
  assert.equal(cpu.mmu.translate(0x5008, 0x10000, ACC_READ), 0x777008, 'linear 1 << 48 + 0x5008 through PML5[1]');
  assert.deepEqual(cpu.mmu.walk(0x5008, 0).levels.map((l) => l.name), ['PML5E', 'PML4E', 'PDPTE', 'PDE', 'PTE']);
});

test('permission rules and #PF error codes: U/S, R/W with CR0.WP, NX, SMEP, SMAP, reserved bits', () => {
  const { m, cpu } = newMachine();
  put64(m, 0x100000, 0x101000 | P | RW | US);
  put64(m, 0x101000, 0x102000 | P | RW | US);
  put64(m, 0x102000, 0x103000 | P | RW | US);
  put64(m, 0x103000,
    0x10000 | P, // 0x0000: supervisor read-only
    0x11000 | P | US, // 0x1000: user read-only
    0x12000 | P | RW | US, // 0x2000: user RW
    BigInt(0x13000 | P | RW) | XD, // 0x3000: supervisor no-execute
    BigInt(0x14000 | P | RW | US) | (1n << 45n), // 0x4000: address bit beyond MAXPHYADDR 40 → reserved
  );
  longPaging(m, cpu, { nxe: true });
  const pf = (lo: number, acc: 0 | 1 | 2) => pageFault(cpu, () => cpu.mmu.translate(lo, 0, acc))?.err ?? null;
  // Supervisor, WP = 0: writes to read-only pages succeed.
  assert.equal(pf(0x0, ACC_WRITE), null);
  writeCr0(cpu, PE | PG | WP);
  assert.equal(pf(0x10, ACC_WRITE), 0x3, 'WP=1: supervisor write to a read-only page');
  cpu.cpl = 3;
  assert.equal(pf(0x0, ACC_READ), 0x5, 'user read of a supervisor page');
  assert.equal(pf(0x1000, ACC_WRITE), 0x7, 'user write to a read-only user page');
  assert.equal(pf(0x2000, ACC_WRITE), null);
  assert.equal(pf(0x5000, ACC_READ), 0x4, 'user read of a not-present page');
  assert.equal(pf(0x4000, ACC_READ), 0xd, 'reserved bit: P|U|RSVD');
  cpu.cpl = 0;
  assert.equal(pf(0x3000, ACC_EXEC), 0x11, 'fetch from an XD page: P|I');
  assert.equal(pf(0x3000, ACC_READ), null);
  assert.equal(pf(0x2000, ACC_EXEC), null, 'supervisor may run user pages without SMEP');
  writeCr4(cpu, PAE | SMEP | SMAP);
  assert.equal(pf(0x2000, ACC_EXEC), 0x11, 'SMEP');
  assert.equal(pf(0x2000, ACC_READ), 0x1, 'SMAP: supervisor data read of a user page');
  cpu.eflags |= 1 << 18; // EFLAGS.AC lifts SMAP for explicit accesses
  assert.equal(pf(0x2000, ACC_READ), null);
  assert.throws(() => cpu.mmu.translateSystem(0x2000, 0, ACC_READ), 'implicit supervisor accesses ignore AC');
  // CR2 holds the whole linear address of the last fault.
  assert.equal(pageFault(cpu, () => cpu.mmu.translate(0x7fff_ffff, 0x7fff, ACC_READ))?.cr2, 0x7fff_7fff_ffffn);
});

test('TLB: stale until INVLPG; CR3 write keeps global pages; CR4.PGE change flushes them', () => {
  const { m, cpu } = newMachine();
  put64(m, 0x100000, 0x101000 | P | RW);
  put64(m, 0x101000, 0x102000 | P | RW);
  put64(m, 0x102000, 0x103000 | P | RW, 0x600000 | P | RW | PS); // PD[1]: 2 MiB page
  put64(m, 0x103000, 0x10000 | P | RW, 0x11000 | P | RW | G);
  longPaging(m, cpu, { cr4: PGE });
  assert.equal(cpu.mmu.translate(0x0, 0, ACC_READ), 0x10000);
  assert.equal(cpu.mmu.translate(0x1000, 0, ACC_READ), 0x11000);
  assert.equal(cpu.mmu.translate(0x234000, 0, ACC_READ), 0x634000);
  assert.equal(cpu.mmu.translate(0x3ff000, 0, ACC_READ), 0x7ff000);
  put64(m, 0x103000, 0x20000 | P | RW, 0x21000 | P | RW | G);
  put64(m, 0x102008, 0xa00000 | P | RW | PS);
  assert.equal(cpu.mmu.translate(0x0, 0, ACC_READ), 0x10000, 'TLB still holds the old translation');
  cpu.mmu.invalidatePage(0x0, 0);
  assert.equal(cpu.mmu.translate(0x0, 0, ACC_READ), 0x20000);
  cpu.mmu.invalidatePage(0x3ff000, 0); // any address inside the 2 MiB page drops all of it
  assert.equal(cpu.mmu.translate(0x234000, 0, ACC_READ), 0xa34000);
  put64(m, 0x103000, 0x30000 | P | RW, 0x31000 | P | RW | G);
  writeCr3(cpu, 0x100000);
  assert.equal(cpu.mmu.translate(0x0, 0, ACC_READ), 0x30000, 'non-global entry flushed by MOV CR3');
  assert.equal(cpu.mmu.translate(0x1000, 0, ACC_READ), 0x11000, 'global entry survives MOV CR3');
  writeCr4(cpu, PAE);
  assert.equal(cpu.mmu.translate(0x1000, 0, ACC_READ), 0x31000, 'clearing CR4.PGE flushes globals');
});

test('a write through a clean TLB entry still sets the dirty bit', () => {
  const { m, cpu } = newMachine();
  put64(m, 0x100000, 0x101000 | P | RW);
  put64(m, 0x101000, 0x102000 | P | RW);
  put64(m, 0x102000, 0x103000 | P | RW);
  put64(m, 0x103000, 0x10000 | P | RW);
  longPaging(m, cpu);
  cpu.mmu.translate(0x10, 0, ACC_READ);
  assert.equal(get64(m, 0x103000) & BigInt(A | D), BigInt(A));
  cpu.mmu.translate(0x10, 0, ACC_WRITE);
  assert.equal(get64(m, 0x103000) & BigInt(A | D), BigInt(A | D));
});

test('64-bit mode: non-canonical addresses raise #GP(0), or #SS(0) for stack references; LA57 widens the check', () => {
  const m = new Machine({ memoryMiB: 16 });
  m.start({ kind: 'long64', image: new Uint8Array([0x90]), load: 0x100000 });
  const cpu = m.cpus[0];
  assert.deepEqual(faultOf(() => cpu.read32(3, 0, 0x8000)), [13, 0], 'bit 47 set without sign extension');
  assert.deepEqual(faultOf(() => cpu.read32(2, 0, 0x8000)), [12, 0], 'SS reference');
  assert.equal(faultOf(() => cpu.mmu.linearize(3, 0, 0xffff8000, 4, ACC_READ)), null, 'canonical high half');
  cpu.cr4 |= LA57; // (direct: only the canonical rule is under test here)
  assert.equal(faultOf(() => cpu.mmu.linearize(3, 0, 0x8000, 4, ACC_READ)), null, '57-bit: bit 47 is an ordinary address bit');
  assert.deepEqual(faultOf(() => cpu.mmu.linearize(3, 0, 0x01000000, 4, ACC_READ)), [13, 0], '57-bit: bit 56 set alone');
});
