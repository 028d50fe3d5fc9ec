// Whole-machine runs of GNU-as-assembled ROMs (reset start, like QEMU -bios) on our machine with the first
// executor, compared with qemu-system-x86_64: same debug-console output, same isa-debug-exit status.
// Real → protected → IA-32e with 4-level paging, #GP from setting CR4.LA57 in 64-bit mode, the switch to 5-level
// paging through compatibility mode (what trampoline_start64 does), string ops, arithmetic and a #GP handler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../machine/machine';
import { ExecutorUnderTest as BootExecutor } from './executor-under-test';
import { asAvailable, assemble, requireOracle } from './oracle';

const QEMU = 'qemu-system-x86_64';

function qemuAvailable(): boolean {
  return spawnSync(QEMU, ['--version'], { encoding: 'utf8' }).status === 0;
}

function runQemu(rom: Uint8Array): { out: string; status: number } {
  const dir = mkdtempSync(join(tmpdir(), 'trampoline-qemu-'));
  const file = join(dir, 'rom.bin');
  writeFileSync(file, rom);
  const r = spawnSync(QEMU, ['-display', 'none', '-nodefaults', '-accel', 'tcg', '-cpu', 'max', '-m', '256', '-bios', file,
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=1', '-debugcon', 'stdio', '-no-reboot'], { encoding: 'latin1', timeout: 20000 });
  return { out: r.stdout, status: r.status ?? -1 };
}

function runOurs(rom: Uint8Array): { out: string; status: number; reason: string } {
  let out = '';
  const m = new Machine({ memoryMiB: 256, executor: new BootExecutor(), output: (b) => (out += String.fromCharCode(b)) });
  m.maxInstructions = 5_000_000;
  m.start({ kind: 'reset', rom });
  let r = m.run();
  while (r.kind === 'slice-end') r = m.run();
  const status = r.kind === 'exit-port' ? r.exitStatus! : r.kind === 'all-halted' || r.kind === 'triple-fault' || r.kind === 'reset' ? 0 : 3;
  return { out, status, reason: `${r.kind}: ${r.message}` };
}

const ROM = String.raw`
  .text
  .code16
start:
  cli
  xor %ax, %ax
  mov %ax, %ds
  mov %ax, %ss
  mov $0x7000, %sp
  mov $'R', %al
  out %al, $0xe9
  # real-mode arithmetic and a string copy into RAM
  mov $0x1234, %bx
  add $0x0f0f, %bx
  cmp $0x2143, %bx
  jne fail16
  mov $msg - 0xf0000, %si
  push %cs
  pop %ds
  xor %ax, %ax
  mov %ax, %es
  mov $0x500, %di
  mov $4, %cx
  cld
  rep movsb
  mov %ax, %ds
  cmpl $0x44434241, 0x500
  jne fail16
  lgdtl %cs:(gdtr - 0xf0000)
  mov %cr0, %eax
  or $1, %eax
  mov %eax, %cr0
  ljmpl $0x08, $pm32
fail16:
  mov $'f', %al
  out %al, $0xe9
  mov $1, %al
  out %al, $0xf4

  .code32
pm32:
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov $0x90000, %esp
  mov $'P', %al
  out %al, $0xe9
  # 4-level tables at 0x10000: PML4 → PDPT → PD of 2 MiB identity pages (first 1 GiB); PML5 at 0x13000
  mov $0x10000, %edi
  xor %eax, %eax
  mov $(4 * 4096 / 4), %ecx
  rep stosl
  movl $0x11003, 0x10000
  movl $0x12003, 0x11000
  movl $0x10003, 0x13000
  mov $0x12000, %edi
  mov $0x83, %eax
  mov $512, %ecx
1:
  mov %eax, (%edi)
  add $0x200000, %eax
  add $8, %edi
  loop 1b
  # IDT with a #GP handler
  lidt idtr
  mov %cr4, %eax
  or $0x20, %eax
  mov %eax, %cr4
  mov $0x10000, %eax
  mov %eax, %cr3
  mov $0xc0000080, %ecx
  rdmsr
  or $0x100, %eax
  wrmsr
  mov %cr0, %eax
  or $0x80000000, %eax
  mov %eax, %cr0
  ljmp $0x18, $lm64

  .code64
lm64:
  mov $'L', %al
  out %al, $0xe9
  xor %eax, %eax
  mov $100, %ecx
2:
  add %rcx, %rax
  loop 2b
  cmp $5050, %rax
  jne fail
  mov $0x8000000000000001, %rbx
  ror $1, %rbx
  mov $0xc000000000000000, %rdx
  cmp %rdx, %rbx
  jne fail
  imul $-3, %rbx, %rsi
  mov $3, %r9
  mul %r9
  cmp $15150, %rax
  jne fail
  # setting CR4.LA57 in IA-32e mode must #GP (the handler prints G and skips the MOV)
  mov %cr4, %rax
  or $0x1000, %rax
  mov %rax, %cr4
  mov $'x', %al
  out %al, $0xe9
  # leave for compatibility mode, turn paging off, enable LA57, back on with a PML5 root
  pushq $0x08
  lea compat(%rip), %rax
  push %rax
  lretq

  .code32
compat:
  mov %cr0, %eax
  and $0x7fffffff, %eax
  mov %eax, %cr0
  mov %cr4, %eax
  or $0x1000, %eax
  mov %eax, %cr4
  mov $0x13000, %eax
  mov %eax, %cr3
  mov %cr0, %eax
  or $0x80000000, %eax
  mov %eax, %cr0
  ljmp $0x18, $lm57

  .code64
lm57:
  mov %cr4, %rax
  bt $12, %rax
  jnc fail
  mov $'5', %al
  out %al, $0xe9
  movabs $0x0100000000000000, %rax
  mov (%rax), %rbx         # bits 63:57 not a sign extension of bit 56 → #GP
  mov $'!', %al
  out %al, $0xe9
  mov $0x10, %al
  out %al, $0xf4
fail:
  mov $'F', %al
  out %al, $0xe9
  mov $1, %al
  out %al, $0xf4

gp_handler:
  mov $'G', %al
  out %al, $0xe9
  addq $3, 8(%rsp)          # skip the 3-byte faulting instruction (error code at 0(%rsp))
  add $8, %rsp
  iretq

msg: .ascii "ABCD"
  .balign 8
gdt:
  .quad 0
  .quad 0x00cf9b000000ffff   # 0x08 32-bit code
  .quad 0x00cf93000000ffff   # 0x10 data
  .quad 0x00af9b000000ffff   # 0x18 64-bit code
gdtr:
  .word gdtr - gdt - 1
  .long gdt
  .balign 16
idt:
  .fill 13 * 16, 1, 0
  .word gp_handler - 0xf0000 + 0     # offset 15:0 (ROM linear 0xF0000 + x, below 64 KiB boundary handled below)
  .word 0x18
  .word 0x8e00
  .word 0x000f                        # offset 31:16 = 0x000F (0xF0000 + …)
  .long 0
  .long 0
idt_end:
idtr:
  .word idt_end - idt - 1
  .long idt

  .code16
  .org 0xfff0
  ljmp $0xf000, $(start - 0xf0000)
  .org 0x10000
`;

test('ROM: real → protected → long (4-level) → #GP on LA57 → compatibility → 5-level, same as QEMU', (t) => {
  if (!requireOracle(t, asAvailable(), 'GNU as')) return;
  const rom = assemble(ROM, 0xf0000);
  assert.equal(rom.length, 0x10000);
  const ours = runOurs(rom);
  assert.equal(ours.out, 'RPLGx5G!', ours.reason);
  assert.equal(ours.status, 0x21, ours.reason);
  if (!requireOracle(t, qemuAvailable(), QEMU)) return;
  const q = runQemu(rom);
  assert.equal(ours.out, q.out, 'console output');
  assert.equal(ours.status, q.status, 'exit status');
});
