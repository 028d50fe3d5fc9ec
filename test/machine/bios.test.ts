// The boot-sector start with the built-in BIOS: a GNU-as-assembled boot sector uses INT 10h, 13h (CHS and LBA
// extensions), 15h (E820) and 12h; its port 0xE9 report and exit status must match QEMU booting the same image
// through SeaBIOS (-drive if=ide), and INT 10h teletype output reaches the host as 'bios' output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../machine/machine';
import { ExecutorUnderTest as BootExecutor } from './executor-under-test';
import { asAvailable, assemble, requireOracle } from './oracle';

const SECTOR = String.raw`
  .text
  .code16
start:
  cli
  xor %ax, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov $0x7c00, %sp
  sti
  mov $0x0e48, %ax
  int $0x10
  mov $0x0e69, %ax
  int $0x10
  mov $0x0201, %ax          # read 1 sector, CHS 0/0/2 → 0000:8000
  mov $0x0002, %cx
  mov $0x0080, %dx
  mov $0x8000, %bx
  int $0x13
  jc fail
  cmpl $0x31544553, 0x8000  # "SET1"
  jne fail
  mov $'1', %al
  out %al, $0xe9
  mov $0x41, %ah
  mov $0x55aa, %bx
  mov $0x80, %dl
  int $0x13
  jc fail
  cmp $0xaa55, %bx
  jne fail
  mov $dap, %si
  mov $0x42, %ah
  mov $0x80, %dl
  int $0x13
  jc fail
  cmpl $0x32544553, 0x9000  # "SET2"
  jne fail
  mov $'2', %al
  out %al, $0xe9
  xor %ebx, %ebx
  mov $0x534d4150, %edx
  mov $0xe820, %eax
  mov $24, %ecx
  mov $0x500, %di
  int $0x15
  jc fail
  cmp $0x534d4150, %eax
  jne fail
  cmpl $0, 0x500
  jne fail
  cmpl $1, 0x510
  jne fail
  mov $'3', %al
  out %al, $0xe9
  int $0x12
  cmp $600, %ax
  jb fail
  mov $'4', %al
  out %al, $0xe9
  mov $0x20, %al
  out %al, $0xf4
fail:
  mov $'F', %al
  out %al, $0xe9
  mov $1, %al
  out %al, $0xf4
  .balign 4
dap:
  .byte 16, 0
  .word 1
  .word 0x9000, 0
  .quad 2
  .org 510
  .word 0xaa55
  .ascii "SET1"
  .org 1024
  .ascii "SET2"
  .org 1536
`;

test('boot sector using INT 10h/13h/15h/12h: same report and exit status as QEMU + SeaBIOS', (t) => {
  if (!requireOracle(t, asAvailable(), 'GNU as')) return;
  const image = assemble(SECTOR, 0x7c00);
  assert.equal(image.length, 1536);
  let out = '', bios = '';
  const m = new Machine({ memoryMiB: 64, executor: new BootExecutor(), output: (b, s) => (s === 'bios' ? (bios += String.fromCharCode(b)) : (out += String.fromCharCode(b))) });
  m.maxInstructions = 1_000_000;
  m.start({ kind: 'boot-sector', image });
  let r = m.run();
  while (r.kind === 'slice-end') r = m.run();
  assert.equal(r.kind, 'exit-port', r.message);
  assert.equal(out, '1234');
  assert.equal(bios, 'Hi');
  assert.equal(r.exitStatus, 0x41);
  const q = spawnSync('qemu-system-x86_64', ['--version']);
  if (!requireOracle(t, q.status === 0, 'qemu-system-x86_64')) return;
  const dir = mkdtempSync(join(tmpdir(), 'trampoline-bios-'));
  const file = join(dir, 'disk.img');
  writeFileSync(file, Buffer.concat([Buffer.from(image), Buffer.alloc(512 * 61)]));
  const qr = spawnSync('qemu-system-x86_64', ['-display', 'none', '-nodefaults', '-accel', 'tcg', '-cpu', 'max', '-m', '256',
    '-drive', `format=raw,file=${file},if=ide`, '-device', 'isa-debug-exit,iobase=0xf4,iosize=1', '-debugcon', 'stdio', '-no-reboot'], { encoding: 'latin1', timeout: 30000 });
  assert.equal(out, qr.stdout, 'port 0xE9 report');
  assert.equal(r.exitStatus, qr.status, 'exit status');
});
