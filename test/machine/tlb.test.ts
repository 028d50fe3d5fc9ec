// The TLB and the MMU's data fast path (a TLB hit goes straight to the host page): every rule that must drop or
// bypass a cached translation or host page. Guest-visible rules run as one 64-bit 4-level paging program on our
// machine and on qemu-system-x86_64 with identical console output. (Unicorn 2.0.1 cannot serve here: within a run it
// keeps stale data translations after INVLPG and MOV to CR3, and reads through 4 KiB PTEs at the linear address.)
// The rules QEMU cannot show (global pages kept across CR3 loads, snapshots, watchpoints, A20, ROM, MMIO) are checked
// against the SDM / PC rule named in each test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../machine/machine';
import type { Cpu } from '../../machine/cpu/cpu';
import { CpuFault } from '../../machine/cpu/fault';
import { writeCr0, writeCr3, writeCr4 } from '../../machine/cpu/control';
import { ATTR_ACCESSED, ATTR_CE, ATTR_CODE, ATTR_DB, ATTR_G, ATTR_P, ATTR_RW, ATTR_S, DS } from '../../machine/cpu/segment';
import { ExecutorUnderTest } from './executor-under-test';
import { asAvailable, assemble, requireOracle } from './oracle';
import { QEMU, haveTool, runOnQemu } from './qemu/qemu-oracle';

const P = 1, RW = 2, A = 0x20, D = 0x40, G = 0x100;
const PD = 0x100000, PT = 0x101000; // page directory; a page table for linear 0..4 MiB (4 KiB-page tests only)

const LOAD = 0x80000; // the 64-bit program (long64 start: identity-mapped 4-level paging, RSP = LOAD)

/**
 * 64-bit program that builds its own 4-level tables (PML4 0x100000, PDPT 0x101000, PD 0x102000, PT 0x103000 for
 * linear 2..4 MiB; 2 MiB identity pages for 0..2 MiB, 6..8 MiB and the GDT's 254..256 MiB), then changes the mapping of L = 0x205000 (PTE 5)
 * and of the 2 MiB page at 4 MiB and prints what each access sees on port 0xE9. It ends in a #PF handler that prints
 * the error code and CR2 and exits through isa-debug-exit.
 */
const PROGRAM64 = String.raw`
  .code64
  .set L, 0x205000
  .set PTE5, 0x103028
  .set PD2, 0x102010
  .set FA, 0x600000
  .set FB, 0x601000
  .set FC, 0x602000
  .macro show src
  mov \src, %eax
  call hex32
  .endm
start:
  mov $0x100000, %edi
  xor %eax, %eax
  mov $(4 * 4096 / 8), %ecx
  rep stosq
  movq $0x101003, 0x100000
  movq $0x102003, 0x101000
  movq $0x000083, 0x102000      /* 0..2 MiB: code, stack, tables */
  movq $0x103003, 0x102008      /* 2..4 MiB: 4 KiB pages */
  movq $0x600083, 0x102018      /* 6..8 MiB: the frames, identity */
  movq $0xfe00083, 0x102000 + 127 * 8 /* the start state's GDT, 32 KiB below 256 MiB */
  movl $0xa0a0a0a0, FA
  movl $0xb0b0b0b0, FB
  movl $0xc0c0c0c0, FC
  movq $(FA + 3), PTE5
  mov $0x100000, %eax
  mov %rax, %cr3
  /* #PF handler (gate type 0x8E, our CS) */
  lea pf_handler(%rip), %rax
  mov %ax, idt + 14 * 16
  mov %cs, %bx
  mov %bx, idt + 14 * 16 + 2
  movw $0x8e00, idt + 14 * 16 + 4
  shr $16, %eax
  mov %ax, idt + 14 * 16 + 6
  lidt idtr
  /* 1. INVLPG: the new PTE is used once the page is invalidated */
  show L
  movq $(FB + 3), PTE5
  invlpg L
  show L
  /* 2. MOV to CR3 drops non-global translations */
  movq $(FA + 3), PTE5
  mov %cr3, %rax
  mov %rax, %cr3
  show L
  /* 3. D bit: the first write through an entry filled by a read (D clear) sets D in the PTE */
  movq $(FC + 3), PTE5
  invlpg L
  show L
  show PTE5                      /* A set, D clear */
  movl $0x12345678, L
  show PTE5                      /* A and D */
  show L
  /* 4. code written after it ran is executed as written */
  call f
  call hex32
  movb $2, f + 1
  call f
  call hex32
  /* 5. clearing CR4.PGE drops global translations too */
  mov %cr4, %rax
  or $0x80, %rax
  mov %rax, %cr4
  movq $(FA + 0x103), PTE5
  invlpg L
  show L
  movq $(FB + 0x103), PTE5
  mov %cr4, %rax
  and $~0x80, %rax
  mov %rax, %cr4
  show L
  /* 6. INVLPG of another address in a 2 MiB page drops every translation in it */
  movq $0x800083, PD2
  movl $0x08080808, 0x401000
  show 0x401000
  movq $0x600083, PD2
  invlpg 0x5ff000
  show 0x401000
  /* 7. upper levels: a walk after INVLPG sets a PDE's accessed bit the program cleared, and follows a PDE that
     now points at another page table */
  movq $0x103003, 0x102008
  invlpg L
  show L
  show 0x102008                  /* A set again */
  movq $(FC + 3), 0x104028
  movq $0x104003, 0x102008
  invlpg L
  show L
  movq $0x103003, 0x102008       /* back to the first page table (step 8 invalidates L) */
  /* 8. CR0.WP: a supervisor write to a read-only page is allowed with WP = 0 and faults once WP is set */
  movq $(FB + 1), PTE5
  invlpg L
  show L                         /* a read fills the entry (the start state has WP = 1) */
  mov %cr0, %rax
  and $~0x10000, %rax
  mov %rax, %cr0
  movl $0x55aa55aa, L
  show L
  mov %cr0, %rax
  or $0x10000, %rax
  mov %rax, %cr0
  movl $0x11223344, L           /* #PF */
  mov $'?', %al
  out %al, $0xe9
  mov $1, %al
  out %al, $0xf4
pf_handler:
  pop %rax
  call hex32
  mov %cr2, %rax
  call hex32
  mov $0x10, %al
  out %al, $0xf4
f:
  mov $1, %eax
  ret
hex32:                           /* %eax as 8 hex digits and a newline */
  mov %eax, %edx
  mov $8, %ecx
1:
  rol $4, %edx
  mov %edx, %eax
  and $0xf, %eax
  cmp $10, %eax
  jb 2f
  add $('a' - '0' - 10), %eax
2:
  add $'0', %eax
  out %al, $0xe9
  loop 1b
  mov $'\n', %al
  out %al, $0xe9
  ret
  .balign 16
idt:
  .fill 15 * 16, 1, 0
idtr:
  .word 15 * 16 - 1
  .quad idt
`;

function runOurs64(image: Uint8Array): { out: string; status: number; reason: string } {
  let out = '';
  const m = new Machine({ memoryMiB: 256, executor: new ExecutorUnderTest(), output: (b) => (out += String.fromCharCode(b)) });
  m.maxInstructions = 1_000_000;
  m.start({ kind: 'long64', image, load: LOAD });
  let r = m.run();
  while (r.kind === 'slice-end') r = m.run();
  const status = r.kind === 'exit-port' ? r.exitStatus! : r.kind === 'triple-fault' ? 0 : -1;
  return { out, status, reason: `${r.kind}: ${r.message}` };
}

test('TLB invalidation rules seen by a 64-bit 4-level paging program agree with QEMU (INVLPG, CR3, D bit, code writes, CR4.PGE, 2 MiB INVLPG, upper-level changes, CR0.WP)', async (t) => {
  if (!requireOracle(t, haveTool(QEMU), QEMU)) return;
  if (!requireOracle(t, asAvailable(), 'GNU as')) return;
  const image = assemble(PROGRAM64, LOAD);
  const q = await runOnQemu(image, { start: 'long64', load: LOAD });
  const ours = runOurs64(image);
  assert.equal(ours.out, q.stdout, `console output (ours stopped with ${ours.reason})`);
  assert.equal(ours.status, q.status, 'exit status');
  // What the SDM requires at each step (so a mistake shared with the oracle cannot pass unnoticed).
  const want = [
    0xa0a0a0a0, 0xb0b0b0b0, 0xa0a0a0a0, // INVLPG, CR3
    0xc0c0c0c0, 0x602023, 0x602063, 0x12345678, // D bit
    1, 2, // code write
    0xa0a0a0a0, 0xb0b0b0b0, // CR4.PGE
    0x08080808, 0xb0b0b0b0, // 2 MiB INVLPG
    0xb0b0b0b0, 0x103023, 0x12345678, // upper levels re-walked
    0xb0b0b0b0, 0x55aa55aa, // WP = 0
    0x3, 0x205000, // #PF: present + write, CR2
  ].map((v) => (v >>> 0).toString(16).padStart(8, '0') + '\n').join('');
  assert.equal(ours.out, want);
  assert.equal(ours.status, (0x10 << 1) | 1);
});

// ---- rules QEMU cannot show ------------------------------------------------------------------------------

/** 32-bit protected mode with flat 4 GiB segments and paging off. */
function flat32(cpu: Cpu): void {
  cpu.cr0 = 0x11;
  cpu.seg[1].set(8, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED | ATTR_G | ATTR_DB);
  for (const s of [0, 2, 3, 4, 5]) cpu.seg[s].set(0x10, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED | ATTR_G | ATTR_DB);
  cpu.modeChanged();
  cpu.mmu.flushAll();
}

const L = 0x5000; // 4 KiB-page tests: the linear page PTE 5 maps
const PTE5 = PT + 5 * 4;
const PAGE_A = 0x200000, PAGE_B = 0x201000, PAGE_C = 0x202000;
const INIT: [number, number][] = [
  [PD + 0 * 4, PT | P | RW | A],
  [PT + 0x100 * 4, PD | P | RW | A | D],
  [PT + 0x101 * 4, PT | P | RW | A | D],
  [PAGE_A, 0xa0a0a0a0],
  [PAGE_B, 0xb0b0b0b0],
  [PAGE_C, 0xc0c0c0c0],
];

/** Flat 32-bit mode with 32-bit paging: PTE 5 maps L (linear 0x5000) to `page`, the tables identity-mapped. */
function pagedMachine(page: number): { m: Machine; cpu: Cpu } {
  const m = new Machine({ memoryMiB: 16 });
  const cpu = m.cpus[0];
  for (const [a, v] of INIT) m.memory.write32(a, v);
  m.memory.write32(PTE5, page | P | RW);
  flat32(cpu);
  writeCr3(cpu, PD);
  writeCr4(cpu, 0x10);
  writeCr0(cpu, 0x80000011);
  return { m, cpu };
}

test('MOV to CR3 keeps global translations while CR4.PGE = 1 (SDM 4.10.4.1); a changed PTE is not seen until INVLPG', () => {
  const { m, cpu } = pagedMachine(PAGE_A);
  writeCr4(cpu, 0x10 | 0x80);
  m.memory.write32(PTE5, PAGE_A | P | RW | G);
  assert.equal(cpu.read32(DS, L), 0xa0a0a0a0);
  m.memory.write32(PTE5, PAGE_B | P | RW | G);
  // Without an invalidation the cached translation may still be used (SDM 4.10.4.3); ours keeps it.
  assert.equal(cpu.read32(DS, L), 0xa0a0a0a0, 'stale until invalidated');
  writeCr3(cpu, PD);
  assert.equal(cpu.read32(DS, L), 0xa0a0a0a0, 'global entry survives the CR3 load');
  cpu.mmu.invalidatePage(L, 0);
  assert.equal(cpu.read32(DS, L), 0xb0b0b0b0, 'INVLPG drops global entries too');
  // A non-global entry does not survive.
  m.memory.write32(PTE5, PAGE_C | P | RW);
  cpu.mmu.invalidatePage(L, 0);
  assert.equal(cpu.read32(DS, L), 0xc0c0c0c0);
  m.memory.write32(PTE5, PAGE_A | P | RW);
  writeCr3(cpu, PD);
  assert.equal(cpu.read32(DS, L), 0xa0a0a0a0);
});

test('a write hit through a read-filled entry sets D once, even when the fast path already holds the host page', () => {
  const { m, cpu } = pagedMachine(PAGE_A);
  assert.equal(cpu.read32(DS, L), 0xa0a0a0a0);
  assert.equal(cpu.read32(DS, L + 4), 0, 'second read served by the TLB fast path');
  assert.equal(m.memory.read32(PTE5) & (A | D), A);
  cpu.write32(DS, L + 8, 0, 7);
  assert.equal(m.memory.read32(PTE5) & (A | D), A | D, 'D set by the first write (SDM 4.8)');
  // Clearing D in memory without an invalidation: the cached dirty entry may be used (SDM 4.8 lets the
  // processor skip the update while it caches D = 1), so only an INVLPG makes the next write set D again.
  m.memory.write32(PTE5, PAGE_A | P | RW | A);
  cpu.write32(DS, L + 8, 0, 8);
  cpu.mmu.invalidatePage(L, 0);
  cpu.write32(DS, L + 8, 0, 9);
  assert.equal(m.memory.read32(PTE5) & (A | D), A | D);
  assert.equal(m.memory.read32(PAGE_A + 8), 9);
});

test('snapshot then a write through a cached host page copies the page: restore brings the old bytes back', () => {
  const { m, cpu } = pagedMachine(PAGE_A);
  cpu.write32(DS, L, 0, 1);
  cpu.write32(DS, L, 0, 2); // fast path: the TLB slot now holds the host page
  const s1 = m.snapshot();
  cpu.write32(DS, L, 0, 3); // must not land in the page the snapshot shares
  assert.equal(cpu.read32(DS, L), 3);
  m.restore(s1);
  assert.equal(m.memory.read32(PAGE_A), 2, 'restored value');
  assert.equal(cpu.read32(DS, L), 2);
  cpu.write32(DS, L, 0, 4);
  cpu.write32(DS, L, 0, 5);
  m.restore(s1);
  assert.equal(cpu.read32(DS, L), 2, 'the snapshot is unchanged by writes after a restore');
  // Reads through a host page cached before the snapshot see the live copy after a write made it private.
  assert.equal(cpu.read32(DS, L), 2);
  m.snapshot();
  cpu.write32(DS, L, 0, 6);
  assert.equal(cpu.read32(DS, L), 6);
  assert.equal(m.memory.read32(PAGE_A), 6);
});

test('a data watchpoint set after the TLB cached the page still sees fast-path accesses', () => {
  const { m, cpu } = pagedMachine(PAGE_A);
  cpu.write32(DS, L, 0, 1);
  cpu.write32(DS, L, 0, 2);
  const hits: string[] = [];
  m.memory.onWatch = (addr, size, write, value) => hits.push(`${write ? 'w' : 'r'}${size}@${addr.toString(16)}=${value}`);
  m.memory.setPageFlag(PAGE_A / 4096, 8 /* KIND_WATCH */, true);
  cpu.write32(DS, L + 4, 0, 3);
  cpu.read32(DS, L + 4);
  assert.deepEqual(hits, ['w4@200004=3', 'r4@200004=3']);
  m.memory.setPageFlag(PAGE_A / 4096, 8, false);
  cpu.write32(DS, L + 4, 0, 4);
  assert.equal(hits.length, 2, 'no longer watched');
});

test('code written through the fast path is re-decoded (write generation bumped)', () => {
  const { m, cpu } = pagedMachine(PAGE_A);
  // L: movl $1, %eax ; then patch the immediate through a data write to the same linear page.
  m.memory.load(PAGE_A, [0xb8, 1, 0, 0, 0, 0x90]);
  const ex = new ExecutorUnderTest();
  cpu.ripLo = L;
  ex.step(cpu);
  assert.equal(cpu.gprLo[0], 1);
  cpu.write8(DS, L + 1, 0, 0x42); // the first write sets D (slow path)
  cpu.ripLo = L;
  ex.step(cpu);
  assert.equal(cpu.gprLo[0], 0x42);
  cpu.write8(DS, L + 1, 0, 0x43); // fast path: must still bump the page's write generation
  cpu.ripLo = L;
  ex.step(cpu);
  assert.equal(cpu.gprLo[0], 0x43);
});

test('paging off: A20 disabled wraps bit 20 for addresses the fast path cached with A20 on (PC A20 gate)', () => {
  const m = new Machine({ memoryMiB: 4 });
  const cpu = m.cpus[0];
  flat32(cpu);
  m.memory.write32(0x100010, 0x11111111);
  m.memory.write32(0x000010, 0x22222222);
  assert.equal(cpu.read32(DS, 0x100010), 0x11111111);
  assert.equal(cpu.read32(DS, 0x100010), 0x11111111);
  m.setA20(false);
  assert.equal(cpu.read32(DS, 0x100010), 0x22222222, 'wraps to 0x10');
  cpu.write32(DS, 0x100010, 0, 0x33333333);
  assert.equal(m.memory.read32(0x10), 0x33333333);
  m.setA20(true);
  assert.equal(cpu.read32(DS, 0x100010), 0x11111111);
});

test('ROM and MMIO pages never take the fast path: ROM writes are ignored, MMIO reads reach the device each time', () => {
  const m = new Machine({ memoryMiB: 4 });
  const cpu = m.cpus[0];
  flat32(cpu);
  const rom = new Uint8Array(4096).fill(0x5a);
  m.memory.mapRom(0x3ff000, rom);
  assert.equal(cpu.read32(DS, 0x3ff000), 0x5a5a5a5a);
  cpu.write32(DS, 0x3ff000, 0, 0);
  cpu.write32(DS, 0x3ff000, 0, 0);
  assert.equal(cpu.read32(DS, 0x3ff000), 0x5a5a5a5a, 'ROM unchanged');
  let reads = 0, last = -1;
  m.memory.mapMmio(0x3fe000, 0x1000, { read: () => ++reads, write: (_o, _s, v) => { last = v; } });
  assert.equal(cpu.read32(DS, 0x3fe010), 1);
  assert.equal(cpu.read32(DS, 0x3fe010), 2);
  cpu.write32(DS, 0x3fe010, 0, 77);
  cpu.write32(DS, 0x3fe010, 0, 78);
  assert.equal(last, 78);
});

test('64-bit fast path: a data breakpoint armed after the page is cached still traps; non-canonical operands still fault (#GP, #SS via RSP)', (t) => {
  if (!requireOracle(t, asAvailable(), 'GNU as')) return;
  const code = assemble(String.raw`
  .code64
  mov $0x9000, %ebx
  movq $1, (%rbx)
  movq $2, (%rbx)
  movq $3, (%rbx)
  movabs $0x0000800000000000, %rax
  mov (%rax), %rcx
  mov %rax, %rsp
  mov (%rsp), %rcx
`, 0x100000);
  const m = new Machine({ memoryMiB: 16 });
  m.start({ kind: 'long64', image: code, load: 0x100000 });
  const cpu = m.cpus[0];
  const ex = new ExecutorUnderTest();
  const fault = (): number => {
    try {
      ex.step(cpu);
      return -1;
    } catch (e) {
      if (!(e instanceof CpuFault)) throw e;
      return e.vector;
    }
  };
  for (let i = 0; i < 3; i++) assert.equal(fault(), -1);
  assert.equal(cpu.debugTrapBits, 0);
  cpu.dr[2] = 0x9000; // DR1: write, 8 bytes, locally enabled (SDM 17.2.4)
  cpu.dr[14] = (1 << 2) | (1 << 20) | (2 << 22);
  assert.equal(fault(), -1);
  assert.equal(cpu.debugTrapBits, 2, 'DR1 hit recorded for the #DB trap');
  assert.equal(m.memory.read32(0x9000), 3);
  cpu.dr[14] = 0;
  assert.equal(fault(), -1); // movabs
  assert.equal(fault(), 13, 'non-canonical DS operand: #GP');
  cpu.ripLo += 3; // skip the faulting mov
  assert.equal(fault(), -1); // mov %rax, %rsp
  assert.equal(fault(), 12, 'non-canonical stack: #SS');
});

test('PCIDs: a no-flush CR3 load that switches PCID never uses the other PCID\'s translations; the same PCID may keep them (SDM 4.10.1, 4.10.4.1)', () => {
  const m = new Machine({ memoryMiB: 16, cpu: { pcid: true } });
  m.start({ kind: 'long64', image: new Uint8Array([0x90]), load: 0x100000 });
  const cpu = m.cpus[0];
  // Two address spaces: a copy of the start state's PML4 whose slot 1 (linear 512 GiB) maps one data page each.
  const root = cpu.cr3Lo;
  const spaces = [0x200000, 0x210000].map((base, k) => {
    for (let i = 0; i < 512 * 8; i += 4) m.memory.write32(base + i, m.memory.read32(root + i));
    m.memory.write32(base + 8, (base + 0x1000) | P | RW); // PML4[1] → PDPT
    m.memory.write32(base + 0x1000, (base + 0x2000) | P | RW); // PDPT[0] → PD
    m.memory.write32(base + 0x2000, (base + 0x3000) | P | RW); // PD[0] → PT
    m.memory.write32(base + 0x3000, (base + 0x4000) | P | RW); // PT[0] → data
    m.memory.write32(base + 0x4000, 0x1111 * (k + 1));
    return base;
  });
  writeCr4(cpu, cpu.cr4 | 0x20000); // PCIDE
  const LIN_HI = 0x80; // linear 0x80_0000_0000 = 512 GiB
  writeCr3(cpu, spaces[0] | 1, 0x80000000); // PCID 1, no flush
  assert.equal(cpu.read32(DS, 0, LIN_HI), 0x1111);
  writeCr3(cpu, spaces[1] | 2, 0x80000000); // PCID 2, no flush
  assert.equal(cpu.read32(DS, 0, LIN_HI), 0x2222, 'PCID 2 sees its own mapping');
  m.memory.write32(spaces[1] + 0x3000, (spaces[0] + 0x4000) | P | RW); // remap under PCID 2, no invalidation
  writeCr3(cpu, spaces[1] | 2, 0x80000000); // same PCID, no flush: the cached translation may stay
  assert.equal(cpu.read32(DS, 0, LIN_HI), 0x2222, 'kept for the same PCID');
  writeCr3(cpu, spaces[1] | 2); // flushing load
  assert.equal(cpu.read32(DS, 0, LIN_HI), 0x1111);
});

test('fast path outside 64-bit mode honours segment limits, read-only and expand-down data segments (SDM 5.3, 5.4)', (t) => {
  if (!requireOracle(t, asAvailable(), 'GNU as')) return;
  // Each case is one instruction run from 0x8000 in 32-bit protected mode (paging off) with these segments:
  // DS base 0x10800 limit 0xFFF RW; ES base 0x20000 read-only; FS expand-down above 0xFFF (32-bit); SS base
  // 0x30800 limit 0xFFF. Bases mid-page, so a limit violation is not also a page crossing (which the fast path
  // declines anyway).
  const cases: [string, number][] = [
    ['movl 0x10(%ebx), %eax', -1], // EBX = 0; ModRM forms (the moffs forms take another route)
    ['movl %eax, 0x20(%ebx)', -1],
    ['movl 0xffc(%ebx), %eax', -1],
    ['movl 0xffe(%ebx), %eax', 13], // crosses the DS limit
    ['movl %eax, 0xffd(%ebx)', 13],
    ['movl %es:0x30(%ebx), %eax', -1],
    ['movl %eax, %es:0x30(%ebx)', 13], // read-only segment
    ['movl %fs:0x1000(%ebx), %eax', -1],
    ['movl %fs:0xff0(%ebx), %eax', 13], // below an expand-down segment's limit
    ['movl 0xffc(%esp), %eax', -1], // ESP = 0: SS offset 0xFFC
    ['movl 0xffe(%esp), %eax', 12], // beyond the SS limit: #SS
  ];
  const images = cases.map(([asm]) => assemble(`  .code32\n  ${asm}\n`, 0x8000));
  const m = new Machine({ memoryMiB: 4 });
  const cpu = m.cpus[0];
  flat32(cpu);
  const RO = ATTR_P | ATTR_S | ATTR_ACCESSED | ATTR_DB;
  cpu.seg[3].set(0x18, 0x10800, 0xfff, RO | ATTR_RW);
  cpu.seg[0].set(0x20, 0x20000, 0xffff, RO);
  cpu.seg[4].set(0x28, 0, 0xfff, RO | ATTR_RW | ATTR_CE);
  cpu.seg[2].set(0x30, 0x30800, 0xfff, RO | ATTR_RW);
  m.memory.write32(0x10810, 0x1234);
  m.memory.write32(0x117fc, 0xabcd);
  m.memory.write32(0x20030, 0x5555);
  m.memory.write32(0x1000, 0x7777);
  m.memory.write32(0xff0, 0x6666); // allocated: an unallocated page would decline the fast path by itself
  m.memory.write32(0x317fc, 0x9999);
  const ex = new ExecutorUnderTest();
  const seen = cases.map((_, i) => {
    m.memory.load(0x8000, images[i]);
    cpu.ripLo = 0x8000;
    cpu.gprLo[4] = 0;
    cpu.gprLo[3] = 0;
    cpu.gprLo[0] = 0x4242;
    for (let pass = 0; pass < 2; pass++) {
      // twice: the second run finds the page in the TLB, where the fast path would take it
      try {
        cpu.ripLo = 0x8000;
        ex.step(cpu);
      } catch (e) {
        if (!(e instanceof CpuFault)) throw e;
        return e.vector;
      }
    }
    return -1;
  });
  assert.deepEqual(seen, cases.map(([, v]) => v));
  assert.equal(m.memory.read32(0x10820), 0x4242);
  assert.equal(m.memory.read32(0x20030), 0x5555, 'read-only segment unchanged');
});
