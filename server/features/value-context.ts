// What a constant means where it is used: a mask headed for CR0/CR3/CR4 (directly or through a general register
// a few instructions later), a bit number for BTS on EFER after RDMSR, or an MSR number loaded into ECX.
import type { Statement } from '../../gas/index';
import { CR0, CR3, CR4, CR8, findMsr, MSRS, type BitsDef, type MsrDef } from '../../isa/bits/index';
import { lookupRegister } from '../../isa/registers';

export interface ValueMeaning {
  /** The register whose bits the value sets or tests. */
  bits?: { def: BitsDef; mask: bigint; via: string };
  msr?: MsrDef;
}

const crDefs: Record<number, BitsDef> = { 0: CR0, 3: CR3, 4: CR4, 8: CR8 };
const LOOK = 8;

function regNum(name: string | undefined): number | undefined {
  if (!name) return undefined;
  const r = lookupRegister(name);
  return r && r.cls.startsWith('gpr') && !r.highByte ? r.num : undefined;
}

function mnemonic(s: Statement): string {
  return s.instruction?.mnemonic ?? '';
}

/** Destination register name of an instruction (last operand), if it is a register. */
function destReg(s: Statement): string | undefined {
  const ops = s.instruction?.operands ?? [];
  const d = ops[ops.length - 1];
  return d?.kind === 'reg' ? d.reg : undefined;
}

/** The control register `num`'s value flows into, within a few instructions (mov %reg, %crN). */
function crFedBy(stmts: Statement[], from: number, num: number): number | undefined {
  let seen = 0;
  for (let i = from + 1; i < stmts.length && seen < LOOK; i++) {
    const s = stmts[i];
    if (s.kind !== 'instruction' || !s.instruction) continue;
    seen++;
    // The value is consumed elsewhere first (an MSR write, a call, a jump): it is not headed for a CR.
    if (/^(wrmsr|rdmsr|cpuid|call|ret|lret|jmp|ljmp|push)/.test(mnemonic(s))) return undefined;
    const ops = s.instruction.operands;
    if (/^mov/.test(mnemonic(s)) && ops.length === 2 && ops[0].kind === 'reg' && ops[1].kind === 'reg') {
      const dst = lookupRegister(ops[1].reg);
      if (dst?.cls === 'cr' && regNum(ops[0].reg) === num) return dst.num;
    }
    if (regNum(destReg(s)) === num && !/^(or|and|bts|btr|btc|xor)/.test(mnemonic(s))) return undefined;
  }
  return undefined;
}

/** The MSR number last loaded into ECX before statement `from` (movl $MSR, %ecx). */
export function msrInEcx(stmts: Statement[], from: number): number | undefined {
  let seen = 0;
  for (let i = from - 1; i >= 0 && seen < LOOK; i--) {
    const s = stmts[i];
    if (s.kind !== 'instruction' || !s.instruction) continue;
    seen++;
    const ops = s.instruction.operands;
    if (/^mov/.test(mnemonic(s)) && ops.length === 2 && ops[0].kind === 'imm' && ops[0].value.known && ops[1].kind === 'reg' && regNum(ops[1].reg) === 1)
      return Number(ops[0].value.value & 0xffffffffn);
  }
  return undefined;
}

function nearWrmsr(stmts: Statement[], from: number): boolean {
  let seen = 0;
  for (let i = from + 1; i < stmts.length && seen < LOOK; i++) {
    const s = stmts[i];
    if (s.kind !== 'instruction') continue;
    seen++;
    if (/^(wrmsr|rdmsr)$/.test(mnemonic(s))) return true;
  }
  return false;
}

/** Meaning of immediate `value` used by statement index `at`. */
export function valueMeaning(stmts: Statement[], at: number, value: bigint): ValueMeaning {
  const out: ValueMeaning = {};
  const s = stmts[at];
  if (!s?.instruction) {
    const m = value >= 0xc0000000n && value <= 0xffffffffn ? findMsr(Number(value)) : undefined;
    if (m) out.msr = m;
    return out;
  }
  const m = mnemonic(s);
  const dst = destReg(s);
  const dstInfo = dst ? lookupRegister(dst) : undefined;
  const isBitOp = /^bt[src]?[wlq]?$/.test(m);
  const mask = isBitOp ? 1n << (value & 63n) : value;
  if (dstInfo?.cls === 'cr' && crDefs[dstInfo.num]) out.bits = { def: crDefs[dstInfo.num], mask, via: `%${dst}` };
  else if (dstInfo && regNum(dst) !== undefined) {
    const cr = crFedBy(stmts, at, dstInfo.num);
    if (cr !== undefined && crDefs[cr]) out.bits = { def: crDefs[cr], mask, via: `%${dst} → %cr${cr}` };
    else if (regNum(dst) === 0 && nearWrmsr(stmts, at)) {
      const msr = msrInEcx(stmts, at);
      const def = msr !== undefined ? findMsr(msr) : undefined;
      if (def?.bits) out.bits = { def: def.bits, mask, via: `%${dst} → ${def.name} (wrmsr)` };
    }
    if (regNum(dst) === 1 && MSRS.has(Number(value & 0xffffffffn)) && (nearWrmsr(stmts, at) || value >= 0xc0000000n))
      out.msr = MSRS.get(Number(value & 0xffffffffn));
  }
  if (!out.msr && !out.bits && value >= 0xc0000000n && value <= 0xffffffffn) {
    const md = findMsr(Number(value));
    if (md) out.msr = md;
  }
  return out;
}

/** Names of the fields a mask touches, each with its meaning. */
export function maskFields(def: BitsDef, mask: bigint): { name: string; lsb: number; width: number; meaning: string }[] {
  return def.fields.filter((f) => ((mask >> BigInt(f.lsb)) & ((1n << BigInt(f.width)) - 1n)) !== 0n);
}
