// After reading: size the variable frags (alignment, .org, .space, relaxable branches) to a fixed point, starting
// every branch short and growing it only when its target is out of reach, then lay out each section's bytes and
// resolve every fixup that does not depend on where the linker puts sections.
import type { Assembler } from './assembler';
import { displayName, littleEndian } from './assembler';
import { evaluate, symbolsOf, type Expr, type Place, type Val } from './expr';
import { nopPadding, type Frag, type FragFixup, type Section } from './frags';
import type { Origin } from './source';
import type { ByteSpan } from './frags';

/** A patch the linker applies once section addresses are final. */
export interface Relocation {
  /** Section-relative offset of the patched bytes. */
  offset: number;
  size: number;
  expr: Expr;
  pcRelative: boolean;
  /** Section-relative address that pc-relative values are measured from. */
  pcBase: number;
  range: 'signed' | 'either';
  origin: Origin;
}

export interface LaidOutSection {
  name: string;
  flags: string;
  type: string;
  alignment: number;
  bytes: Uint8Array;
  relocations: Relocation[];
  /** Where the bytes came from, in offset order (objects made on first read from spanData). */
  readonly spans: ByteSpan[];
  /** The same as flat [offset, length, statement index] triples: what the linker and the source map read. */
  spanData: Int32Array;
  order: number;
}

const MAX_PASSES = 200;

export function layout(asm: Assembler): LaidOutSection[] {
  const out: LaidOutSection[] = [];
  const sections = [...asm.sections.values()];
  for (const s of sections) relax(asm, s);
  for (const s of sections) out.push(emitSection(asm, s));
  finalizeSymbols(asm);
  return out;
}

/**
 * GNU's relax_segment: an initial layout (branches short, alignment padded, .org/.space empty), then passes in
 * address order. Each pass moves a frag by the growth of the frags before it (`stretch`); a branch whose target
 * lies ahead assumes the target moved by the same stretch only when no alignment or .org separates them (a
 * "region"), since padding may absorb it. Branches only grow; passes repeat until nothing changes.
 */
function relax(asm: Assembler, section: Section): void {
  const frags = section.orderedFrags();
  // Which branches can stay short at all: a target in this section, not weak. A branch to a plain label has a
  // fixed place (labels do not move between frags while relaxing): it is resolved here once, not on every pass.
  const labelTargets: (Place | undefined)[] = new Array(frags.length);
  for (let i = 0; i < frags.length; i++) {
    const v = frags[i].varPart;
    if (v.kind !== 'relax') continue;
    if (!v.target) {
      v.forceNear = true;
      v.isNear = true;
      continue;
    }
    const sym = v.target.t === 'sym' ? asm.symbolFor(v.target.name, v.target) : undefined;
    const d = v.target.t === 'sym' ? asm.definitionOf(sym, v.target) : undefined;
    if (d?.kind === 'label') {
      v.forceNear = d.place.section !== section.name || sym!.binding === 'weak';
      if (!v.forceNear) labelTargets[i] = d.place;
    } else {
      const t = evaluate(v.target, asm.finalEnv);
      v.forceNear = t.k !== 'rel' || t.at.section !== section.name || sym?.binding === 'weak';
    }
    v.isNear = v.forceNear;
  }
  // Initial layout.
  let address = 0;
  let region = 0;
  for (const f of frags) {
    f.region = region;
    f.visit = -1;
    f.address = address;
    address += f.size;
    const v = f.varPart;
    f.varSize = 0;
    if (v.kind === 'align') {
      f.varSize = alignPadding(address, v.alignment, v.maxSkip);
      // A wide fill (.balignw/.balignl) writes whole units: GNU rounds the first estimate down and says so.
      if (v.fill !== 'nop' && v.fill.length > 1 && f.varSize % v.fill.length !== 0) {
        const pad = f.varSize;
        if (f.varSpan) asm.error(`alignment padding (${pad} byte${pad === 1 ? '' : 's'}) not a multiple of ${v.fill.length}`, f.varSpan.origin, 'alignment');
        f.varSize = pad - (pad % v.fill.length);
      }
      region++;
    } else if (v.kind === 'org') region++;
    else if (v.kind === 'relax') f.varSize = v.isNear ? v.near.bytes.length : v.short.bytes.length;
    else if (v.kind === 'nops') f.varSize = v.count;
    address += f.varSize;
  }
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let stretch = 0;
    let stretched = false;
    for (let i = 0; i < frags.length; i++) {
      const f = frags[i];
      f.visit = pass;
      f.address += stretch;
      const here = f.address + f.size;
      const v = f.varPart;
      let next = f.varSize;
      switch (v.kind) {
        case 'align':
          next = alignPadding(here, v.alignment, v.maxSkip);
          // A wide fill writes whole units. (After such an error GNU's later passes can leave a part of a unit;
          // we keep whole units: the error stands either way.)
          if (v.fill !== 'nop' && v.fill.length > 1) next -= next % v.fill.length;
          break;
        case 'org': {
          const target = orgTarget(asm, f);
          next = target === undefined || target < here ? 0 : Math.min(target - here, asm.maxOutputBytes);
          break;
        }
        case 'space': {
          const t = evaluate(v.count, asm.finalEnv);
          next = t.k === 'abs' && t.v > 0n ? Math.min(Number(t.v), asm.maxOutputBytes) : 0;
          break;
        }
        case 'relax': {
          if (v.isNear) break;
          let tf: Frag;
          let target: number;
          const place = labelTargets[i];
          if (place) {
            tf = place.frag as Frag;
            target = tf.address + place.offset;
          } else {
            const t = evaluate(v.target!, asm.finalEnv);
            if (t.k !== 'rel') {
              v.isNear = true;
              next = v.near.bytes.length;
              break;
            }
            tf = t.at.frag as Frag;
            target = tf.address + t.at.offset + Number(t.v);
          }
          if (stretch !== 0 && tf.visit !== pass) {
            if (stretch < 0 || tf.region === f.region) target += stretch;
            else if (target < here) break;
          }
          const disp = target - (here + v.short.bytes.length);
          if (disp < -128 || disp > 127) {
            v.isNear = true;
            next = v.near.bytes.length;
          }
          break;
        }
        case 'none':
        case 'nops':
          break;
      }
      const growth = next - f.varSize;
      f.varSize = next;
      if (growth !== 0) {
        stretch += growth;
        stretched = true;
      }
    }
    if (!stretched) break;
  }
  // Problems with .org and .space are reported once, on the final layout.
  for (const f of frags) {
    const v = f.varPart;
    const here = f.address + f.size;
    if (v.kind === 'org' && f.varSpan) {
      const target = orgTarget(asm, f);
      if (target === undefined) asm.error('.org needs an absolute or same-section expression', f.varSpan.origin, 'org');
      else if (target < here) asm.error('attempt to move .org backwards', f.varSpan.origin, 'org-backwards');
    } else if (v.kind === 'space' && f.varSpan) {
      const t = evaluate(v.count, asm.finalEnv);
      if (t.k !== 'abs') asm.error('.space, .nops or .fill specifies non-absolute value', f.varSpan.origin, 'space');
      else if (t.v < 0n) asm.warn('.space, .nops or .fill with negative value, ignored', f.varSpan.origin, 'negative-space');
    }
  }
}

function alignPadding(at: number, alignment: number, maxSkip: number): number {
  const pad = (alignment - (at % alignment)) % alignment;
  return maxSkip > 0 && pad > maxSkip ? 0 : pad;
}

function orgTarget(asm: Assembler, f: Frag): number | undefined {
  const v = f.varPart;
  if (v.kind !== 'org') return undefined;
  const t = evaluate(v.target, asm.finalEnv);
  if (t.k === 'abs') return Number(t.v);
  if (t.k === 'rel' && t.at.section === f.section) return (t.at.frag as Frag).address + t.at.offset + Number(t.v);
  return undefined;
}

function emitSection(asm: Assembler, section: Section): LaidOutSection {
  const frags = section.orderedFrags();
  let total = 0;
  for (const f of frags) total = Math.max(total, f.address + f.size + f.varSize);
  if (total > asm.maxOutputBytes) {
    // Huge alignments or .org targets: report instead of allocating gigabytes.
    const culprit = frags.find((f) => f.varSize > asm.maxOutputBytes / 2)?.varSpan?.origin ?? asm.statements[0]?.origin;
    if (culprit) asm.error(`section \`${section.name}' would be ${total} bytes (more than ${asm.maxOutputBytes})`, culprit, 'too-large');
    for (const f of frags) f.varSize = 0;
    total = 0;
    for (const f of frags) {
      f.address = total;
      total += f.size;
    }
  }
  const bytes = new Uint8Array(total);
  const statements = asm.statements;
  const relocations: Relocation[] = [];
  // One exactly sized array: every frag's spans plus its variable tail's.
  let spans = 0;
  for (const f of frags) spans += f.spans.length + (f.varSpan && f.varSize > 0 ? 3 : 0);
  let spanData: Int32Array = new Int32Array(spans);
  let at = 0;
  // Frags are in address order, each frag's spans in offset order and its variable tail after them: the spans
  // come out sorted unless .org moved something backwards (checked, sorted only then).
  let sorted = true;
  let lastOffset = -1;
  for (const f of frags) {
    const fixed = f.size;
    if (fixed > 32) bytes.set(fixed === f.bytes.length ? f.bytes : f.bytes.subarray(0, fixed), f.address);
    else for (let i = 0, src = f.bytes, at = f.address; i < fixed; i++) bytes[at + i] = src[i]; // no view object for a few bytes
    const fspans = f.spans;
    for (let k = 0; k < fspans.length; k += 3) {
      const offset = f.address + fspans[k];
      const statement = fspans[k + 2];
      if (offset < lastOffset) sorted = false;
      lastOffset = offset;
      spanData[at++] = offset;
      spanData[at++] = fspans[k + 1];
      spanData[at++] = statement;
    }
    const v = f.varPart;
    const varAt = f.address + f.size;
    for (const fx of f.fixups) resolveFixup(asm, section, f, fx, bytes, relocations);
    if (v.kind === 'align' && f.varSize > 0) {
      // GNU generates code padding at write time, in the mode in force at the end of the input.
      if (v.fill === 'nop') bytes.set(nopPadding(f.varSize, asm.mode), varAt);
      else for (let i = 0; i < f.varSize; i++) bytes[varAt + i] = v.fill[i % v.fill.length];
    } else if (v.kind === 'nops' && f.varSize > 0) {
      bytes.set(nopPadding(f.varSize, asm.mode, v.limit), varAt);
    } else if ((v.kind === 'org' || v.kind === 'space') && v.fill !== 0) {
      bytes.fill(v.fill, varAt, varAt + f.varSize);
    } else if (v.kind === 'relax') {
      const enc = v.isNear ? v.near : v.short;
      bytes.set(enc.bytes, varAt);
      if (!relaxedBranchInPlace(asm, section, f, enc, v.target, bytes)) for (const fx of enc.fixups) {
        const relaxed: FragFixup = {
          offset: f.size + fx.offset,
          size: fx.size,
          expr: v.target ?? { t: 'num', v: 0n, s: 0, e: 0 },
          pcRelative: fx.pcRelative,
          pcBase: f.size + enc.bytes.length,
          range: fx.range,
          origin: f.varSpan!.origin,
          relaxed: true,
        };
        resolveFixup(asm, section, f, relaxed, bytes, relocations);
      }
    }
    if (f.varSpan && f.varSize > 0) {
      if (varAt < lastOffset) sorted = false;
      lastOffset = varAt;
      spanData[at++] = varAt;
      spanData[at++] = f.varSize;
      spanData[at++] = f.varSpan.statement;
    }
  }
  if (!sorted) spanData = sortedTriples(spanData);
  for (let k = 0; k < spanData.length; k += 3) {
    const offset = spanData[k];
    const length = spanData[k + 1];
    const st = statements[spanData[k + 2]];
    if (st.offset === undefined) {
      st.offset = offset;
      st.size = length;
    } else {
      const end = Math.max(st.offset + (st.size ?? 0), offset + length);
      st.offset = Math.min(st.offset, offset);
      st.size = end - st.offset;
    }
  }
  const isNobits = section.type === 'nobits';
  if (isNobits && bytes.some((b) => b !== 0)) {
    for (let k = 0; k < spanData.length; k += 3) {
      if (spanData[k + 1] <= 0) continue;
      asm.error(`attempt to store non-zero value in section \`${section.name}'`, statements[spanData[k + 2]].origin, 'bss-data');
      break;
    }
  }
  return {
    name: section.name,
    flags: section.flags,
    type: section.type,
    alignment: section.alignment,
    bytes,
    relocations,
    spanData,
    get spans(): ByteSpan[] {
      const list: ByteSpan[] = [];
      for (let k = 0; k < spanData.length; k += 3) {
        list.push({ offset: spanData[k], length: spanData[k + 1], origin: statements[spanData[k + 2]].origin, statement: spanData[k + 2] });
      }
      Object.defineProperty(this, 'spans', { value: list });
      return list;
    },
    order: section.order,
  };
}

/** [offset, length, statement] triples ordered by offset (stable, as Array.prototype.sort). */
function sortedTriples(data: Int32Array): Int32Array {
  const order: number[] = [];
  for (let k = 0; k < data.length; k += 3) order.push(k);
  order.sort((a, b) => data[a] - data[b]);
  const out = new Int32Array(data.length);
  let i = 0;
  for (const k of order) {
    out[i++] = data[k];
    out[i++] = data[k + 1];
    out[i++] = data[k + 2];
  }
  return out;
}

function resolveFixup(asm: Assembler, section: Section, f: Frag, fx: FragFixup, bytes: Uint8Array, relocs: Relocation[]): void {
  const at = f.address + fx.offset;
  const pcBase = f.address + fx.pcBase;
  const v: Val = evaluate(fx.expr, asm.finalEnv);
  let value: bigint | undefined;
  if (v.k === 'abs' && !fx.pcRelative) value = v.v;
  else if (v.k === 'rel' && fx.pcRelative && v.at.section === section.name && (fx.relaxed || !mentionsExternal(asm, fx.expr))) {
    // ELF keeps pc-relative references to global symbols as relocations (only relaxed branches are resolved).
    value = BigInt((v.at.frag as Frag).address + v.at.offset) + v.v - BigInt(pcBase);
  }
  if (value !== undefined) {
    const msg = rangeProblem(value, fx.size, fx.range, f.address + fx.offset);
    if (msg) asm.error(msg, fx.origin, 'out-of-range');
    writeLittleEndian(bytes, at, value, fx.size);
    return;
  }
  if (v.k === 'unknown' && /different sections/.test(v.why) && !isPcRelativeForm(asm, fx.expr, section.name)) {
    asm.error(unresolvableDifference(asm, fx.expr) ?? `can't resolve expression: ${v.why}`, fx.origin, 'unresolvable');
  }
  relocs.push({ offset: at, size: fx.size, expr: fx.expr, pcRelative: fx.pcRelative, pcBase, range: fx.range, origin: fx.origin });
}

/**
 * `sym - .` (or `sym - label` with the label in the fixup's own section, plus constants): ELF expresses it as a
 * pc-relative relocation, so it is valid across sections.
 */
function isPcRelativeForm(asm: Assembler, expr: Expr, section: string): boolean {
  let e = expr;
  while (e.t === 'bin' && (e.op === '+' || e.op === '-') && evaluate(e.r, asm.finalEnv).k === 'abs') e = e.l;
  if (e.t !== 'bin' || e.op !== '-') return false;
  const r = evaluate(e.r, asm.finalEnv);
  return r.k === 'rel' && r.at.section === section;
}

/** GNU's "can't resolve .text - b": a local left-hand symbol is shown as its section. */
function unresolvableDifference(asm: Assembler, expr: Expr): string | undefined {
  let e = expr;
  while (e.t === 'bin' && (e.op === '+' || e.op === '-') && evaluate(e.r, asm.finalEnv).k === 'abs') e = e.l;
  if (e.t !== 'bin' || e.op !== '-') return undefined;
  const name = (x: Expr, asSection: boolean): string | undefined => {
    while (x.t === 'bin' && (x.op === '+' || x.op === '-') && evaluate(x.r, asm.finalEnv).k === 'abs') x = x.l;
    if (x.t !== 'sym') return undefined;
    const s = asm.symbols.get(x.name);
    if (asSection && s && s.binding === 'local' && s.definition?.kind === 'label') return s.definition.place.section;
    return displayName(x.name);
  };
  const l = name(e.l, true);
  const r = name(e.r, false);
  return l && r ? `can't resolve ${l} - ${r}` : undefined;
}

/**
 * The usual relaxed branch, to a label in this section: its displacement written directly (number arithmetic, no
 * fixup object). False when anything is unusual (the general path then reports ranges and makes relocations).
 */
function relaxedBranchInPlace(asm: Assembler, section: Section, f: Frag, enc: { bytes: Uint8Array | number[]; fixups: readonly { offset: number; size: number; pcRelative: boolean }[] }, target: Expr | undefined, bytes: Uint8Array): boolean {
  if (enc.fixups.length !== 1 || target?.t !== 'sym') return false;
  const fx = enc.fixups[0];
  if (!fx.pcRelative || (fx.size !== 1 && fx.size !== 4)) return false;
  const d = asm.definitionOf(asm.symbolFor(target.name, target), target);
  if (d?.kind !== 'label' || d.place.section !== section.name) return false;
  const disp = (d.place.frag as Frag).address + d.place.offset - (f.address + f.size + enc.bytes.length);
  if (fx.size === 1 ? disp < -128 || disp > 127 : disp < -0x80000000 || disp > 0x7fffffff) return false;
  const at = f.address + f.size + fx.offset;
  bytes[at] = disp & 0xff;
  if (fx.size === 4) {
    bytes[at + 1] = (disp >> 8) & 0xff;
    bytes[at + 2] = (disp >> 16) & 0xff;
    bytes[at + 3] = (disp >> 24) & 0xff;
  }
  return true;
}

/** `value` truncated to `size` bytes, little-endian, at `at` (numbers where they are exact). */
function writeLittleEndian(bytes: Uint8Array, at: number, value: bigint, size: number): void {
  if (size <= 4) {
    let n = Number(BigInt.asUintN(32, value));
    for (let i = 0; i < size; i++, n = Math.floor(n / 256)) bytes[at + i] = n & 0xff;
    return;
  }
  bytes.set(littleEndian(value, size), at);
}

function mentionsExternal(asm: Assembler, expr: Expr): boolean {
  if (expr.t === 'sym') {
    const sym = asm.symbolFor(expr.name, expr);
    return !!sym && sym.binding !== 'local' && asm.definitionOf(sym, expr)?.kind === 'label';
  }
  return symbolsOf(expr).some((s) => {
    const sym = asm.symbolFor(s.name, s);
    return !!sym && sym.binding !== 'local' && asm.definitionOf(sym, s)?.kind === 'label';
  });
}

/** GNU's range messages for a value patched into `size` bytes. */
export function rangeProblem(
  value: bigint,
  size: number,
  range: 'signed' | 'either',
  at = 0,
): string | undefined {
  if (size >= 8) return undefined;
  const bits = BigInt(size * 8);
  const smin = -(1n << (bits - 1n));
  const smax = (1n << (bits - 1n)) - 1n;
  const umax = (1n << bits) - 1n;
  // GNU's check for a field that is not signed: the value or its negation must fit (a byte takes -255..255).
  const ok = range === 'signed' ? value >= smin && value <= smax : (value >= 0n ? value : -value) <= umax;
  if (ok) return undefined;
  const u = BigInt.asUintN(64, value);
  // GNU writes the value in decimal up to 1000, else as a 64-bit hex number.
  const shown = u > 1000n ? u.toString(16).padStart(16, '0') : u.toString();
  return `value of ${shown} too large for field of ${size} byte${size > 1 ? 's' : ''} at ${at.toString(16).padStart(16, '0')}`;
}

function finalizeSymbols(asm: Assembler): void {
  computeSymbolValues(asm);
  for (const s of asm.symbols.values()) {
    if (!s.attributesFrom) continue;
    const from = asm.symbols.get(s.attributesFrom);
    if (!from) continue;
    if (s.size === undefined && from.size !== undefined) s.size = from.size;
    if (s.type === undefined && from.type !== undefined) {
      s.type = from.type;
      asm.typesCopied.push(s);
    }
  }
}

function computeSymbolValues(asm: Assembler): void {
  for (const s of asm.symbols.values()) {
    // A forward local label (`3f`) that never got its `3:`.
    const fb = s.definition ? -1 : s.name.indexOf('\u0002');
    if (fb > 0 && s.references.length) {
      const n = s.name.slice(0, fb);
      const instance = s.name.slice(fb + 1);
      asm.error(`local label \`"${n}" (instance number ${instance} of a fb label)' is not defined`, s.references[0], 'undefined-local-label');
    }
    if (!s.definition) {
      s.section = '*UND*';
      continue;
    }
    const v = asm.valueOf(s, s.name, true);
    if (v.k === 'abs') {
      s.section = '*ABS*';
      s.value = v.v;
    } else if (v.k === 'rel') {
      s.section = v.at.section;
      s.value = BigInt((v.at.frag as Frag).address + v.at.offset) + v.v;
    } else if (v.k === 'undef') {
      s.section = '*UND*';
      s.value = v.v;
    } else {
      s.section = '*UND*';
      if (s.defined) asm.error(`can't resolve value for symbol \`${displayName(s.name)}'`, s.defined, 'unresolvable');
    }
    if (s.sizeExpr) {
      const z = evaluate(s.sizeExpr.expr, asm.finalEnv);
      if (z.k === 'abs') s.size = z.v;
      else asm.error(`.size expression for ${s.name} does not evaluate to a constant`, s.sizeExpr.origin, 'size');
    }
  }
}
