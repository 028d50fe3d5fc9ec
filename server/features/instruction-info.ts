// Instruction facts for hovers, completion and signature help, all read from isa/'s table and docs.
import { formsByName, forms, suffixOfSize } from '../../isa/table';
import { docForMnemonic } from '../../isa/docs';
import { prefixNames } from '../../isa/att-syntax';
import type { InstructionForm } from '../../isa/schema';
import type { CodeMode } from '../../isa/mode';

const suffixSizes: Record<string, number> = { b: 8, w: 16, l: 32, q: 64 };

/** Forms a written mnemonic may select (`movl` → mov forms of size 32; `jnz` → jcc; `movzx` bare). */
export function formsForMnemonic(mnemonic: string): InstructionForm[] {
  const m = mnemonic.toLowerCase();
  const direct = formsByName.get(m);
  if (direct?.length) return direct;
  const size = suffixSizes[m.slice(-1)];
  if (size) {
    const base = formsByName.get(m.slice(0, -1)) ?? [];
    const sized = base.filter((f) => f.sizes.includes(size));
    if (sized.length) return sized;
  }
  return [];
}

export function isPrefix(name: string): boolean {
  return prefixNames.has(name.toLowerCase());
}

export function isMnemonic(name: string): boolean {
  return formsForMnemonic(name).length > 0 || isPrefix(name);
}

export function validModes(fs: InstructionForm[]): CodeMode[] {
  const modes = new Set<CodeMode>();
  for (const f of fs) {
    if (!f.only64) { modes.add(16); modes.add(32); }
    if (!f.no64) modes.add(64);
  }
  return [...modes].sort((a, b) => a - b);
}

const flagNames: Record<string, string> = { o: 'OF', s: 'SF', z: 'ZF', a: 'AF', p: 'PF', c: 'CF', d: 'DF', i: 'IF', t: 'TF', r: 'RF' };
export function flagList(letters: string): string {
  return [...letters].map((c) => flagNames[c] ?? c.toUpperCase()).join(' ');
}

export { docForMnemonic };

/** Operand list as people read it: `r/m32, r32` style from the table's operand specs. */
export function formSignature(f: InstructionForm, size?: number): string {
  const sz = size ?? f.sizes[0];
  const show = (spec: string): string => {
    if (spec.startsWith('%')) return spec;
    const m = /^([a-z]+?)(\d*)$/.exec(spec);
    if (!m) return spec;
    const [, kind, fixed] = m;
    const bits = fixed || (sz ? String(sz) : '');
    const names: Record<string, string> = {
      r: 'reg', rm: 'reg/mem', rr: 'reg', m: 'mem', ro: 'reg', rn: 'reg', rrn: 'reg', i: '$imm', is: '$imm', one: '$1',
      acc: 'acc', sreg: '%sreg', cr: '%crN', dr: '%drN', rel: 'label', moffs: 'addr', fsel: '$selector', foff: '$offset', ms: '(%si)', md: '%es:(%di)',
    };
    return (names[kind] ?? kind) + (['sreg', 'cr', 'dr', 'one', 'ms', 'md', 'fsel', 'foff'].includes(kind) ? '' : bits);
  };
  return f.operands.map(show).join(', ');
}

/** Mnemonics (with the suffixes each form accepts) that assemble in a mode, computed once per mode. */
const byMode = new Map<CodeMode, { name: string; form: InstructionForm }[]>();
export function mnemonicsForMode(mode: CodeMode): { name: string; form: InstructionForm }[] {
  let l = byMode.get(mode);
  if (l) return l;
  const seen = new Map<string, InstructionForm>();
  for (const f of forms) {
    // Decoder-only forms (swapgs as objdump shows 0f 01 f8 in 32-bit code) are nothing GNU as accepts.
    if (f.decodeOnly || (mode === 64 ? f.no64 : f.only64)) continue;
    for (const n of f.names) {
      if (!seen.has(n)) seen.set(n, f);
      if (f.bareNames.includes(n) || f.impliedSize) continue;
      for (const s of f.sizes) {
        if (s === 64 && mode !== 64) continue;
        const k = n + suffixOfSize[s];
        if (!seen.has(k)) seen.set(k, f);
      }
    }
  }
  l = [...seen].map(([name, form]) => ({ name, form })).sort((a, b) => a.name.localeCompare(b.name));
  byMode.set(mode, l);
  return l;
}
