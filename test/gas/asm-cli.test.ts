// `trampoline asm` end to end: run the CLI as a process, compare the written image with GNU as + ld, and check
// the error contract (FILE:LINE:COL: error: MESSAGE on stderr, exit 1, nothing written).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { requireTools } from './toolchain';

const ROOT = resolve(__dirname, '../..');

function trampoline(cwd: string, ...args: string[]) {
  // tsx is resolved from the repository, since the command runs in a temporary directory.
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  return spawnSync(process.execPath, ['--import', tsx, join(ROOT, 'cli/main.ts'), ...args], { cwd, encoding: 'utf8' });
}

const SOURCE = `
	.code16
	.text
	.globl start
start:
	cli
	movw $message, %si
	movl $external, %eax
	jmp 1f
	.balign 8
1:	hlt
message: .asciz "boot"
	.data
value:	.long start, value
`;

function withDir(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'trampoline-asm-'));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('trampoline asm writes the same flat image as GNU as + ld', (t) => {
  if (!requireTools(t, ['as', 'ld', 'objcopy'])) return;
  withDir((dir) => {
    writeFileSync(join(dir, 'boot.s'), SOURCE);
    // ld's default script would page-align .data; pin it right after .text as our default layout does.
    const r = trampoline(dir, 'asm', 'boot.s', '-Ttext=0x7c00', '--section-start=.data=0x7c20', '--defsym', 'external=0x1234', '--symbols');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /0000000000007c00 G \.text\s+start/);
    const ours = readFileSync(join(dir, 'boot.bin'));
    let g = spawnSync('as', ['--64', 'boot.s', '-o', 'boot.o'], { cwd: dir, encoding: 'utf8' });
    assert.equal(g.status, 0, g.stderr);
    g = spawnSync('ld', ['-m', 'elf_x86_64', '-e', '0', '-Ttext=0x7c00', '--section-start=.data=0x7c20', '--defsym', 'external=0x1234', '--oformat=binary', 'boot.o', '-o', 'gnu.bin'], { cwd: dir, encoding: 'utf8' });
    assert.equal(g.status, 0, g.stderr);
    assert.equal(ours.toString('hex'), readFileSync(join(dir, 'gnu.bin')).toString('hex'));
  });
});

test('trampoline asm -o and --listing', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'boot.s'), SOURCE);
    const r = trampoline(dir, 'asm', 'boot.s', '-o', 'image.img', '--defsym=external=5', '--listing');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(dir, 'image.img')));
    assert.ok(!existsSync(join(dir, 'boot.bin')));
    assert.match(r.stdout, /FA\s+cli/);
    assert.match(r.stdout, /F4\s+1:\s+hlt/);
  });
});

test('trampoline asm reports FILE:LINE:COL: error: MESSAGE, exits 1 and writes nothing', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'bad.s'), '\t.data\n\t.byte 1\n\t.byte 2 +* 3\n\t.long missing\n');
    const r = trampoline(dir, 'asm', 'bad.s');
    assert.equal(r.status, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines[0], 'bad.s:3:11: error: bad expression');
    assert.ok(lines.every((l) => /^bad\.s:\d+:\d+: (error|warning|note): /.test(l)), r.stderr);
    assert.ok(!existsSync(join(dir, 'bad.bin')));
  });
});

test('trampoline asm: bad options and missing files', () => {
  withDir((dir) => {
    let r = trampoline(dir, 'asm');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no input file/);
    r = trampoline(dir, 'asm', 'nope.s');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^nope\.s:1:1: error: can't open nope\.s/);
    r = trampoline(dir, 'asm', 'x.s', '-Ttext=zzz');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /invalid address for -Ttext/);
  });
});

test('trampoline asm -I reaches .include', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'inc.s'), '\t.byte 0x42\n');
    writeFileSync(join(dir, 'main.s'), '\t.include "inc.s"\n\t.byte 1\n');
    const r = trampoline(dir, 'asm', 'main.s', '-I', dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'main.bin')).toString('hex'), '4201');
  });
});

test('--listing rows (line, address, bytes) agree with as -al for a single-section program', (t) => {
  if (!requireTools(t, ['as'])) return;
  withDir((dir) => {
    const src = '\t.text\n\t.code32\nstart:\tmovl $1, %eax\n\t.byte 1, 2, 3, 4, 5, 6\n\t.balign 4\n\tjmp start\n\t.ascii "hello"\n\t.macro two\n\tnop\n\tnop\n\t.endm\n\tret\n';
    writeFileSync(join(dir, 'l.s'), src);
    const g = spawnSync('as', ['--64', '-al=gnu.lst', 'l.s', '-o', 'l.o'], { cwd: dir, encoding: 'utf8' });
    assert.equal(g.status, 0, g.stderr);
    const rows = (text: string) =>
      text
        .split('\n')
        .map((l) => /^\s*(\d+) ([0-9a-fA-F]{4}) ([0-9A-F]+)/.exec(l))
        .filter((m): m is RegExpExecArray => !!m)
        .map((m) => `${m[1]} ${m[2].toLowerCase()} ${m[3]}`);
    const r = trampoline(dir, 'asm', 'l.s', '--listing');
    assert.equal(r.status, 0, r.stderr);
    const gnu = rows(readFileSync(join(dir, 'gnu.lst'), 'latin1'));
    assert.ok(gnu.length >= 6);
    assert.deepEqual(rows(r.stdout), gnu);
  });
});

test('errors inside a macro expansion are followed by a note at each invocation', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'm.s'), '\t.macro inner v\n\t.byte \\v +* 1\n\t.endm\n\t.macro outer\n\tinner 3\n\t.endm\n\t.data\n\touter\n');
    const r = trampoline(dir, 'asm', 'm.s');
    assert.equal(r.status, 1);
    assert.deepEqual(r.stderr.trim().split('\n'), [
      'm.s:2:12: error: bad expression',
      "m.s:5:2: note: in expansion of macro `inner' invoked here",
      "m.s:8:2: note: in expansion of macro `outer' invoked here",
    ]);
  });
});
