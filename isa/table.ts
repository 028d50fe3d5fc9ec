// Expands the compact rows of isa/table/*.ts into InstructionForm records and indexes them by AT&T name and by
// opcode. This is the single table every consumer reads.
import type { InstructionForm, OperandSizeRule, ModrmKind } from './schema';
import { generalRows } from './table/general';
import { systemRows, extensionRows, x87Rows } from './table/system';

/** Condition codes with every AT&T spelling GNU accepts; the first is the one objdump prints. */
export const conditionCodes: string[][] = [
  ['o'], ['no'], ['b', 'c', 'nae'], ['ae', 'nb', 'nc'], ['e', 'z'], ['ne', 'nz'], ['be', 'na'], ['a', 'nbe'],
  ['s'], ['ns'], ['p', 'pe'], ['np', 'po'], ['l', 'nge'], ['ge', 'nl'], ['le', 'ng'], ['g', 'nle'],
];

const sizeLetters: Record<string, number> = { b: 8, w: 16, l: 32, q: 64 };
export const suffixOfSize: Record<number, string> = { 8: 'b', 16: 'w', 32: 'l', 64: 'q' };

function parseRow(line: string, cc?: number): InstructionForm {
  const [namesText, sizesText, opsText, encText, attrText = ''] = line.split('|').map((s) => s.trim());
  const attrs = attrText.split(/\s+/).filter(Boolean);
  const has = (a: string): boolean => attrs.includes(a);
  let names = namesText.split(',');
  if (cc !== undefined) names = names.flatMap((n) => conditionCodes[cc].map((c) => n.replace('{cc}', c)));
  const sizes = sizesText === '-' ? [] : [...sizesText].map((c) => sizeLetters[c]);
  const operands = opsText === '-' ? [] : opsText.split(',');
  const opcode: number[] = [];
  let modrm: ModrmKind = 'none';
  let modrmValue = 0;
  let opcodeReg = false;
  let mandatoryPrefix: number | undefined;
  let modrmReg = false;
  for (const tok of encText.split(/\s+/)) {
    if (tok === '/r') modrm = 'reg';
    else if (/^\/[0-7]$/.test(tok)) { modrm = 'digit'; modrmValue = Number(tok[1]); }
    else if (tok.startsWith('=')) {
      modrm = 'fixed';
      modrmValue = parseInt(tok.slice(1), 16);
      if (tok.endsWith('+r')) modrmReg = true;
    }
    else if (tok.startsWith('P')) mandatoryPrefix = parseInt(tok.slice(1), 16);
    else if (tok.endsWith('+r')) { opcode.push(parseInt(tok, 16)); opcodeReg = true; }
    else if (tok.endsWith('+cc')) opcode.push(parseInt(tok, 16) + (cc ?? 0));
    else opcode.push(parseInt(tok, 16));
  }
  const osz: OperandSizeRule = has('d64') ? 'd64' : has('osz0') ? 'none' : 'op';
  const opAttr = attrs.find((a) => a.startsWith('op='));
  const sizeAttr = attrs.find((a) => /^size\d+$/.test(a));
  const aszAttr = attrs.find((a) => /^asz\d+$/.test(a));
  const form: InstructionForm = {
    id: '',
    op: opAttr ? opAttr.slice(3) : names[0],
    names,
    sizes,
    operands,
    mandatoryPrefix,
    opcode,
    modrm,
    modrmValue,
    modrmReg,
    opcodeReg,
    cc,
    osz,
    asz: aszAttr ? (Number(aszAttr.slice(3)) as 16 | 32 | 64) : undefined,
    no64: has('no64'),
    only64: has('only64'),
    rexW: has('rexw'),
    ignoresRexW: has('now'),
    ignoresOpSize: has('no66'),
    noPrefix: has('np') || has('npbare'),
    bareBadPrefix: has('npbare'),
    lock: has('lock'),
    rep: has('rep'),
    encodeOnly: has('enc'),
    decodeOnly: has('dec'),
    immReverse: has('immrev'),
    dupReg: has('dup'),
    quietDefault: has('quiet'),
    warnBare: has('warnbare'),
    warnAlias: attrs.find((a) => a.startsWith('warnalias='))?.slice(10),
    disName: attrs.find((a) => a.startsWith('dis='))?.slice(4),
    bareNames: has('nosuffix') ? names : attrs.find((a) => a.startsWith('bare='))?.slice(5).split(',') ?? [],
    impliedSize: sizeAttr ? Number(sizeAttr.slice(4)) : undefined,
  };
  return form;
}

function build(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  for (const line of (generalRows + systemRows + extensionRows + '\n' + x87Rows).split('\n')) {
    if (!line.trim()) continue;
    if (line.includes('{cc}')) for (let cc = 0; cc < 16; cc++) forms.push(parseRow(line, cc));
    else forms.push(parseRow(line));
  }
  // Ids: operation, canonical name, sizes and operand shape; a counter only if two rows would still collide.
  const seen = new Map<string, number>();
  for (const f of forms) {
    const sz = f.sizes.map((s) => suffixOfSize[s]).join('');
    let id = `${f.names[0]}${sz ? ':' + sz : ''}(${f.operands.join(',')})`;
    if (f.encodeOnly) id += '~alt';
    if (f.decodeOnly) id += '~dec';
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    if (n) id += `#${n}`;
    f.id = id;
  }
  return forms;
}

export const forms: readonly InstructionForm[] = build();

/** Forms by every AT&T name (without suffix), in table order. */
export const formsByName: ReadonlyMap<string, InstructionForm[]> = (() => {
  const m = new Map<string, InstructionForm[]>();
  for (const f of forms) for (const n of f.names) {
    if (f.decodeOnly) continue;
    const list = m.get(n) ?? [];
    list.push(f);
    m.set(n, list);
  }
  return m;
})();

export const formById: ReadonlyMap<string, InstructionForm> = new Map(forms.map((f) => [f.id, f]));

/** Every distinct mnemonic a user may write, with suffixes where the form takes them (for completion). */
export function allMnemonics(): string[] {
  const out = new Set<string>();
  for (const f of forms) for (const n of f.names) {
    if (f.decodeOnly) continue;
    out.add(n);
    if (!f.bareNames.includes(n) && !f.impliedSize) for (const s of f.sizes) out.add(n + suffixOfSize[s]);
  }
  return [...out].sort();
}
