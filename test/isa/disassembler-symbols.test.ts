// Symbolic disassembly: a label-rich program is assembled and linked by GNU as/ld at 0x1000; our output with
// the symbol table from nm must match `objdump -d` line for line (targets as `1001 <foo>`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disassemble } from '../../isa/disassembler';
import { haveBinary } from './gnu-oracle';
import { normalise } from './disasm-differential';

const skip = !(haveBinary('as') && haveBinary('ld') && haveBinary('objdump')) && !process.env.CI ? 'binutils missing' : false;

function program(mode: 16 | 32 | 64): string {
  const ax = mode === 64 ? '%rax' : mode === 32 ? '%eax' : '%ax';
  const lines = [`.code${mode}`, '.text', '.globl _start', '_start:'];
  const ops = ['jmp L{t}', 'jne L{t}', 'call L{t}', 'loop L{t}', `mov L{t}, ${ax}`, 'nop', `lea L{t}, ${ax}`, 'jb L{t}'];
  if (mode === 64) ops.push('lea L{t}(%rip), %rax', 'jmp *L{t}(%rip)');
  let seed = 7;
  const next = (n: number): number => { seed = (seed * 48271) % 2147483647; return seed % n; };
  for (let i = 0; i < 150; i++) {
    lines.push(`L${i}:`);
    for (let k = 0; k < 1 + next(3); k++) {
      const t = Math.max(0, Math.min(149, i + next(9) - 4));
      lines.push('  ' + ops[next(ops.length)].replace('{t}', String(t)));
    }
  }
  return lines.join('\n') + '\n';
}

for (const mode of [16, 32, 64] as const) {
  test(`symbolic disassembly matches objdump -d in .code${mode}`, { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'isa-sym-'));
    try {
      writeFileSync(join(dir, 'p.s'), program(mode));
      const run = (cmd: string, args: string[]): string => {
        const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
        assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
        return r.stdout;
      };
      run('as', [mode === 64 ? '--64' : '--32', 'p.s', '-o', 'p.o']);
      run('ld', [...(mode === 64 ? [] : ['-m', 'elf_i386']), '-Ttext=0x1000', '-e', '0x1000', 'p.o', '-o', 'p.elf']);
      run('objcopy', ['-O', 'binary', '-j', '.text', 'p.elf', 'p.bin']);
      const symbols = run('nm', ['p.elf']).split('\n').map((l) => /^([0-9a-f]+) [tT] (\S+)$/.exec(l)).filter((m) => m !== null).map((m) => ({ name: m![2], address: parseInt(m![1], 16) }));
      const dump = run('objdump', ['-d', ...(mode === 16 ? ['-M', 'i8086'] : []), 'p.elf']);
      const gnu = new Map<number, string>();
      for (const l of dump.split('\n')) {
        const m = /^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.*)$/.exec(l);
        if (m) gnu.set(parseInt(m[1], 16), normalise(m[2]));
      }
      const bytes = new Uint8Array(readFileSync(join(dir, 'p.bin')));
      const ours = disassemble(bytes, mode, { address: 0x1000, symbols });
      let passed = 0;
      const failed: string[] = [];
      for (const l of ours) {
        const g = gnu.get(l.address);
        if (g === undefined) continue;
        if (normalise(l.text) === g) passed++;
        else failed.push(`${l.address.toString(16)}: ours=${l.text} objdump=${g}`);
      }
      console.log(`.code${mode}: ${passed} symbolic lines match, ${failed.length} differ`);
      assert.equal(passed, gnu.size);
      assert.deepEqual(failed, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
