// The Disassembly view: instructions decoded in the mode of the code at each address (the assembler's .code16/32/64
// for program bytes, the CPU's current mode elsewhere), with symbols and source locations.
import { disassemble } from '../../isa/disassembler';
import type { CodeMode } from '../../isa/mode';
import type { Cpu } from '../../machine/cpu/cpu';
import { peekLinear } from '../../machine/inspect';
import { hex } from './numbers';
import type { Program } from './program';

export interface DisassembledInstruction {
  address: string;
  instructionBytes?: string;
  instruction: string;
  symbol?: string;
  file?: string;
  /** 0-based. */
  line?: number;
  presentationHint?: 'invalid';
}

function modeFor(program: Program | undefined, cpu: Cpu, linear: number): CodeMode {
  return program?.modeAt(linear) ?? cpu.codeSize;
}

/** Instruction starts before `linear`, found through the source map where possible. */
function backUp(program: Program | undefined, cpu: Cpu, linear: number, count: number): number {
  let at = linear;
  for (let i = 0; i < count; i++) {
    const prev = program?.entryAt(at - 1);
    if (prev && prev.start < at) {
      at = prev.start;
      continue;
    }
    // Unknown bytes: decode forward from a little earlier and take the instruction ending at `at`.
    const from = at - 16;
    const bytes = from >= 0 ? peekLinear(cpu, BigInt(from), 16) : undefined;
    if (!bytes) {
      at -= 1;
      continue;
    }
    const lines = disassemble(bytes, modeFor(program, cpu, from), { address: from });
    const ending = lines.filter((l) => l.address + l.length === at);
    at = ending.length ? ending[ending.length - 1].address : at - 1;
  }
  return at;
}

export function disassembleAt(program: Program | undefined, cpu: Cpu, reference: number, instructionOffset: number, count: number): DisassembledInstruction[] {
  let start = reference;
  if (instructionOffset < 0) start = backUp(program, cpu, reference, -instructionOffset);
  const out: DisassembledInstruction[] = [];
  let at = start;
  let skip = Math.max(0, instructionOffset);
  // objdump style: `jmp 9000 <spin>` when there are symbols, `jmp 0x9000` for a bare image.
  const known = program?.symbols.filter((s) => s.isAddress && s.value < 2n ** 53n).map((s) => ({ name: s.name, address: Number(s.value) }));
  const symbols = known && known.length ? known : undefined;
  let lastFile: string | undefined;
  while (out.length < count) {
    if (at < 0) {
      out.push({ address: hex(BigInt.asUintN(64, BigInt(at))), instruction: '(before the address space)', presentationHint: 'invalid' });
      at++;
      continue;
    }
    const mode = modeFor(program, cpu, at);
    const bytes = peekLinear(cpu, BigInt(at), 15);
    if (!bytes) {
      if (skip > 0) skip--;
      else out.push({ address: hex(at), instruction: '?? (not mapped)', presentationHint: 'invalid' });
      at++;
      continue;
    }
    const [line] = disassemble(bytes, mode, { address: at, symbols });
    const len = line?.length ?? 1;
    if (skip > 0) {
      skip--;
      at += len;
      continue;
    }
    const sym = program?.symbol && symbols?.find((s) => s.address === at);
    const entry = program?.entryAt(at);
    const d: DisassembledInstruction = {
      address: hex(at),
      instructionBytes: Array.from(bytes.subarray(0, len), (b) => b.toString(16).padStart(2, '0')).join(' '),
      instruction: line ? `${line.text}${mode !== cpu.codeSize ? `  ; ${mode}-bit` : ''}` : '(bad)',
    };
    if (sym) d.symbol = sym.name;
    if (entry && entry.start === at) {
      d.file = entry.entry.origin.range.file;
      d.line = entry.entry.origin.range.line;
      lastFile = d.file;
    }
    if (!line || line.text === '(bad)') d.presentationHint = 'invalid';
    out.push(d);
    at += len;
  }
  void lastFile;
  return out;
}
