// Four CPUs: the BSP (ROM, reset start) copies an AP trampoline below 1 MiB, sends INIT-SIPI-SIPI to all other
// CPUs through the local APIC ICR, and waits until each AP has incremented a counter with a locked add. Output
// and exit status must match QEMU with -smp 4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../machine/machine';
import { ExecutorUnderTest as BootExecutor } from './executor-under-test';
import { asAvailable, assemble, requireOracle } from './oracle';

const ROM = String.raw`
  .text
  .code16
start:
  cli
  xor %ax, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov $0x7000, %sp
  lgdtl %cs:(gdtr - 0xf0000)
  mov %cr0, %eax
  or $1, %eax
  mov %eax, %cr0
  ljmpl $0x08, $pm32
  .code32
pm32:
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov $0x7000, %esp
  movl $0, 0x6000                 # counter
  mov $ap_start, %esi
  mov $0x8000, %edi
  mov $(ap_end - ap_start), %ecx
  cld
  rep movsb
  movl $0, 0xfee00310
  movl $0x000c4500, 0xfee00300    # INIT to all excluding self
  mov $20000, %ecx
1: loop 1b
  movl $0x000c4608, 0xfee00300    # STARTUP, vector 8 → 0x8000
  mov $2000, %ecx
2: loop 2b
  movl $0x000c4608, 0xfee00300    # second STARTUP (ignored by CPUs already running)
wait:
  pause
  cmpl $3, 0x6000
  jne wait
  mov $'S', %al
  out %al, $0xe9
  mov 0x6000, %al
  add $'0', %al
  out %al, $0xe9
  mov $0x03, %al
  out %al, $0xf4

  .code16
ap_start:
  xor %ax, %ax
  mov %ax, %ds
  lock incl 0x6000
  cli
3: hlt
  jmp 3b
ap_end:

  .balign 8
gdt:
  .quad 0
  .quad 0x00cf9b000000ffff
  .quad 0x00cf93000000ffff
gdtr:
  .word gdtr - gdt - 1
  .long gdt
  .org 0xfff0
  ljmp $0xf000, $(start - 0xf0000)
  .org 0x10000
`;

test('INIT-SIPI-SIPI wakes three APs that count in with a locked add (same as QEMU -smp 4)', (t) => {
  if (!requireOracle(t, asAvailable(), 'GNU as')) return;
  const rom = assemble(ROM, 0xf0000);
  let out = '';
  const m = new Machine({ memoryMiB: 64, cpus: 4, executor: new BootExecutor(), output: (b) => (out += String.fromCharCode(b)) });
  m.maxInstructions = 2_000_000;
  m.start({ kind: 'reset', rom });
  let r = m.run();
  while (r.kind === 'slice-end') r = m.run();
  assert.equal(r.kind, 'exit-port', r.message);
  assert.equal(out, 'S3');
  assert.deepEqual(m.cpus.map((c) => [c.runState, c.mode]), [['running', 'protected'], ['halted', 'real'], ['halted', 'real'], ['halted', 'real']]);
  assert.deepEqual(m.cpus.slice(1).map((c) => c.seg[1].selector), [0x0800, 0x0800, 0x0800]);
  if (!requireOracle(t, spawnSync('qemu-system-x86_64', ['--version']).status === 0, 'qemu-system-x86_64')) return;
  const dir = mkdtempSync(join(tmpdir(), 'trampoline-smp-'));
  const file = join(dir, 'rom.bin');
  writeFileSync(file, rom);
  const q = spawnSync('qemu-system-x86_64', ['-display', 'none', '-nodefaults', '-accel', 'tcg', '-cpu', 'max', '-m', '256', '-smp', '4', '-bios', file,
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=1', '-debugcon', 'stdio', '-no-reboot'], { encoding: 'latin1', timeout: 30000 });
  assert.equal(out, q.stdout);
  assert.equal(r.exitStatus, q.status);
});
