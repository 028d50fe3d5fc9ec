// Which start mode fits a program when the launch configuration does not say: the facts in the source (or image)
// that decide it, and, when they do not decide, the explained choices for a quick pick.
import { statements, type Statement } from './source-text';

export type StartMode = 'reset' | 'boot-sector' | 'ap' | 'long64';
export const START_MODES: readonly StartMode[] = ['reset', 'boot-sector', 'ap', 'long64'];

/** What each start mode does, in the words the quick pick shows. */
export const START_DESCRIPTIONS: Record<StartMode, string> = {
  'boot-sector': 'Boot sector: loaded at 0x7C00 behind a small BIOS, entered at 0000:7C00 with DL=0x80.',
  ap: 'Application processor: real mode with CS = load >> 4, IP = 0, as after a STARTUP IPI.',
  reset: 'Power-on reset: the image is a ROM below 4 GiB, the CPU starts at F000:FFF0.',
  long64: '64-bit mode with identity-mapped 4-level paging (entry points such as trampoline_start64).',
};

export interface StartEvidence {
  start: StartMode;
  /** 0-based line of the deciding statement. */
  line: number;
  reason: string;
  /** The symbol execution starts at, when the evidence names one. */
  entry?: string;
  /** Strong evidence decides alone; weak evidence only orders the quick pick. */
  strong: boolean;
}

export interface StartChoice {
  start: StartMode;
  description: string;
  /** Why this file fits (or nothing found). */
  detail: string;
  entry?: string;
}

/** Evidence that the program wakes other CPUs: it sends a STARTUP IPI through the local APIC's ICR. */
export interface SmpEvidence {
  /** 0-based line of the ICR write. */
  line: number;
  reason: string;
}

export interface StartInference {
  /** Set when exactly one start mode has strong evidence. */
  start?: StartMode;
  /** Set when the program sends INIT/SIPI: it needs more than one CPU. */
  smp?: SmpEvidence;
  entry?: string;
  evidence: StartEvidence[];
  /** All four modes, those with evidence first: what the quick pick offers when `start` is undefined. */
  choices: StartChoice[];
}

const PAGE_ALIGN = /^\.(?:b?align\s+(?:PAGE_SIZE|4096|0x1000|\(?1\s*<<\s*12\)?)|p2align\s+12)\b/i;
const CODE = /^\.code(16|32|64)\b/;
const ENTRY_MACRO = /^(?:SYM_CODE_START|SYM_FUNC_START|SYM_CODE_START_LOCAL|SYM_FUNC_START_LOCAL|SYM_CODE_START_NOALIGN|ENTRY|GLOBAL)\s*\(\s*([\w.$]+)\s*\)/;
const LABEL = /^([A-Za-z_.$][\w.$]*):$/;
const SIGNATURE = /^\.(?:byte\s+0x55\s*,\s*0xaa|(?:word|short|value|2byte|hword)\s+0xaa55)\b/i;
const AT_510 = /^(?:\.org\s+(?:510|0x1fe)\b|\.\s*=\s*(?:510|0x1fe)\b|\.(?:fill|space|skip|zero)\s+.*\b(?:510|0x1fe)\b)/i;
const RESET_VECTOR = /^(?:\.org\s+0xfff0\b|\.\s*=\s*0xfff0\b)/i;

/** A statement that is neither a label, a directive, a cpp line nor an assignment: an instruction or macro call. */
function isCode(st: Statement): boolean {
  const t = st.text;
  return !(t.startsWith('.') || t.startsWith('#') || t.endsWith(':') || /^[\w.$]+\s*=/.test(t) || ENTRY_MACRO.test(t) || /^SYM_\w+\s*\(/.test(t));
}

function entryName(st: Statement): string | undefined {
  return ENTRY_MACRO.exec(st.text)?.[1] ?? LABEL.exec(st.text)?.[1];
}

/** Evidence in a GNU as source (before cpp: macros such as PAGE_SIZE are recognised by name). */
export function inferStartFromSource(text: string): StartInference {
  const sts = statements(text);
  const evidence: StartEvidence[] = [];

  sts.forEach((st, i) => {
    if (SIGNATURE.test(st.text)) {
      const placed = sts.slice(Math.max(0, i - 3), i).some((p) => AT_510.test(p.text));
      evidence.push({ start: 'boot-sector', line: st.line, strong: placed, reason: placed ? `boot signature 0x55 0xAA at offset 510 (line ${st.line + 1})` : `0x55 0xAA signature bytes (line ${st.line + 1}), not visibly at offset 510` });
    }
    if (RESET_VECTOR.test(st.text)) evidence.push({ start: 'reset', line: st.line, strong: true, reason: `reset vector at .org 0xfff0 (line ${st.line + 1})` });
  });

  // The first code-mode directive decides between a 16-bit AP entry and a 64-bit entry.
  const first = sts.findIndex((st) => CODE.test(st.text));
  if (first >= 0) {
    const bits = CODE.exec(sts[first].text)![1];
    // The directives around it, up to the first instruction: alignment may come before or after .code16.
    let lo = first;
    while (lo > 0 && !isCode(sts[lo - 1])) lo--;
    let hi = first + 1;
    while (hi < sts.length && !isCode(sts[hi])) hi++;
    const around = sts.slice(lo, hi);
    const entry = sts.slice(first + 1, hi).map(entryName).find((n) => n !== undefined);
    if (bits === '16') {
      const aligned = around.find((st) => PAGE_ALIGN.test(st.text));
      if (aligned) evidence.push({ start: 'ap', line: sts[first].line, entry, strong: true, reason: `page-aligned .code16 entry${entry ? ` ${entry}` : ''} (line ${sts[first].line + 1})` });
      else evidence.push({ start: 'ap', line: sts[first].line, entry, strong: false, reason: `16-bit code first (line ${sts[first].line + 1}), not page-aligned` });
    } else if (bits === '64') {
      evidence.push({ start: 'long64', line: sts[first].line, entry, strong: true, reason: `.code64 entry${entry ? ` ${entry}` : ''} (line ${sts[first].line + 1})` });
    }
  }
  const out = decide(evidence);
  const smp = findStartupIpi(sts);
  if (smp) out.smp = smp;
  return out;
}

/** The xAPIC's default base (IA32_APIC_BASE after reset) and its ICR low register's offset (SDM Vol. 3A 11.4.1, 11.6.1). */
const APIC_BASE = 0xfee00000;
const ICR_LOW = 0x300;
/** ICR bits 10:8, delivery mode: 110b = Start-Up (SDM Vol. 3A 11.6.1). */
const DELIVERY_MODE = 0x700;
const STARTUP = 0x600;
const NUMBER = /^(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const CONSTANT = /^(?:#\s*define\s+([A-Za-z_]\w*)\s+\(?\s*([^\s()]+)\s*\)?\s*$|\.(?:equ|set)\s+([A-Za-z_.$][\w.$]*)\s*,\s*(\S+)\s*$|([A-Za-z_.$][\w.$]*)\s*=\s*(\S+)\s*$)/;

function numberValue(token: string): number | undefined {
  if (!NUMBER.test(token)) return undefined;
  return token.length > 1 && token[0] === '0' && !/^0[xXbB]/.test(token) ? parseInt(token, 8) : Number(token.replace(/^0[bB]/, '0b'));
}

/**
 * A conservative look for a STARTUP IPI, before cpp: a `mov` of an immediate whose delivery mode is Start-Up to
 * an operand at ICR offset 0x300, in a file that names the APIC base 0xFEE00000 (directly or through a plain
 * `#define`/`.equ`/`=` constant). Code that builds the values at run time is not recognised.
 */
function findStartupIpi(sts: Statement[]): SmpEvidence | undefined {
  const constants = new Map<string, number>();
  for (const st of sts) {
    const m = CONSTANT.exec(st.text);
    if (!m) continue;
    const value = numberValue(m[2] ?? m[4] ?? m[6]);
    if (value !== undefined) constants.set(m[1] ?? m[3] ?? m[5], value);
  }
  const values = (text: string): number[] =>
    (text.match(/[A-Za-z_.$][\w.$]*|\b[0-9][0-9a-fA-FxXbB]*/g) ?? []).map((t) => constants.get(t) ?? numberValue(t)).filter((v): v is number => v !== undefined);
  const namesApic = sts.some((st) => values(st.text).some((v) => v === APIC_BASE || v === APIC_BASE + ICR_LOW));
  if (!namesApic) return undefined;
  for (const st of sts) {
    const m = /^mov[lw]?\s+\$(.+?),\s*([^,]+)$/.exec(st.text);
    if (!m || !isCode(st)) continue;
    const startup = values(m[1]).some((v) => v < 0x100000 && (v & DELIVERY_MODE) === STARTUP);
    const dest = values(m[2]);
    const icr = dest.includes(APIC_BASE + ICR_LOW) || dest.includes(ICR_LOW);
    if (startup && icr) return { line: st.line, reason: `STARTUP IPI written to the local APIC ICR (line ${st.line + 1})` };
  }
  return undefined;
}

/** Evidence in a flat image: the boot signature, or a reset ROM's size and far jump at 0xFFF0. */
export function inferStartFromImage(bytes: Uint8Array): StartInference {
  const evidence: StartEvidence[] = [];
  if (bytes.length >= 512 && bytes[510] === 0x55 && bytes[511] === 0xaa) {
    evidence.push({ start: 'boot-sector', line: 0, strong: true, reason: 'boot signature 0x55 0xAA at offset 510' });
  }
  if (bytes.length >= 0x10000 && bytes.length % 0x10000 === 0) {
    const vector = bytes[bytes.length - 16];
    const jumps = vector === 0xea || vector === 0xe9 || vector === 0xeb || vector === 0x66 || vector === 0x2e;
    evidence.push({ start: 'reset', line: 0, strong: jumps, reason: jumps ? 'a 64 KiB-multiple ROM with a jump at its reset vector (offset size − 16)' : 'a 64 KiB-multiple image' });
  }
  return decide(evidence);
}

function decide(evidence: StartEvidence[]): StartInference {
  const strong = [...new Set(evidence.filter((e) => e.strong).map((e) => e.start))];
  const out: StartInference = { evidence, choices: choices(evidence) };
  if (strong.length === 1) {
    out.start = strong[0];
    out.entry = evidence.find((e) => e.strong && e.start === strong[0])?.entry;
  }
  return out;
}

function choices(evidence: StartEvidence[]): StartChoice[] {
  const rank = (s: StartMode): number => {
    const e = evidence.filter((x) => x.start === s);
    return e.some((x) => x.strong) ? 0 : e.length ? 1 : 2;
  };
  return [...START_MODES]
    .sort((a, b) => rank(a) - rank(b))
    .map((start) => {
      const found = evidence.filter((e) => e.start === start);
      return {
        start,
        description: START_DESCRIPTIONS[start],
        detail: found.length ? `In this file: ${found.map((e) => e.reason).join('; ')}` : 'Nothing in this file points to this start.',
        entry: found.find((e) => e.entry)?.entry,
      };
    });
}
