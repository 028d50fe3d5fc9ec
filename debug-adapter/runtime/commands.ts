// Debug Console commands Bochs users know: info gdt, info idt, info tab, creg, sreg, xp /NFU ADDR (physical),
// x /NFU ADDR (linear), page ADDR. Anything else is an expression (evaluate.ts).
import type { Cpu } from '../../machine/cpu/cpu';
import { readRegister } from '../../machine/registers';
import { decodeDescriptorTable, decodeIdt, mappedRanges, peekLinear } from '../../machine/inspect';
import { CR0, CR3, CR4, EFER } from '../../isa/bits/control';
import { setFlagNames } from '../../isa/bits/describe';
import { SEG_NAMES } from '../../machine/cpu/segment';
import { evaluateExpression, type EvalContext } from './evaluate';
import { hex } from './numbers';
import type { TrampolineRuntime } from './runtime';

export const CONSOLE_COMMANDS = ['info gdt', 'info idt', 'info tab', 'info cpu', 'creg', 'sreg', 'xp /16bx ', 'x /4wx ', 'page ', 'help'];

/** Debug Console completions: commands, common registers and bits, and the program's symbols. */
export function consoleCompletions(prefix: string, symbols: string[]): string[] {
  const regs = ['%rax', '%rip', '%rsp', '%cr0', '%cr3', '%cr4', 'cr0.pe', 'cr0.pg', 'cr4.pae', 'cr4.la57', 'efer.lme', 'efer.lma', 'eflags.if', 'phys('];
  const p = prefix.toLowerCase();
  return [...CONSOLE_COMMANDS, ...regs, ...symbols].filter((c) => c.toLowerCase().startsWith(p)).slice(0, 200);
}

/** Runs a console command; undefined when the text is not a command (then it is evaluated as an expression). */
export function runConsoleCommand(text: string, rt: TrampolineRuntime, cpuIndex: number): string | undefined {
  const t = text.trim();
  const cpu = rt.requireInspectable().cpus[cpuIndex];
  const ctx = rt.evalContext(cpuIndex);
  let m: RegExpExecArray | null;
  if (/^help$/i.test(t)) return HELP;
  if (/^info\s+gdt$/i.test(t)) return infoGdt(cpu);
  if (/^info\s+idt$/i.test(t)) return infoIdt(cpu);
  if (/^info\s+tab$/i.test(t)) return infoTab(cpu);
  if (/^creg$/i.test(t)) return creg(cpu);
  if (/^sreg$/i.test(t)) return sreg(cpu);
  if ((m = /^(xp|x)(?:\s*\/\s*(\d*)([bhwg]?)([xdu]?)([bhwg]?))?\s+(.+)$/i.exec(t))) {
    const count = m[2] ? Number(m[2]) : 1;
    const unit = (m[3] || m[5] || 'w').toLowerCase();
    const format = (m[4] || 'x').toLowerCase();
    const address = evaluateExpression(m[6], ctx).value;
    return examine(cpu, rt, m[1].toLowerCase() === 'xp', address, Math.min(count, 4096), unit, format);
  }
  if ((m = /^page\s+(.+)$/i.exec(t))) {
    const lin = evaluateExpression(m[1], ctx).value;
    const w = rt.translateRequest(cpuIndex, lin);
    const lines = [`linear ${w.linear} (${w.paging} paging)`];
    for (const l of w.levels) lines.push(`  ${l.name.padEnd(6)} @${l.entryAddress} = ${l.value}${l.leaf ? '  (leaf)' : ''}`);
    lines.push(w.physical ? `  → physical ${w.physical}, ${w.writable ? 'RW' : 'RO'}${w.user ? ' US' : ' supervisor'}${w.executable ? '' : ' NX'}, ${w.pageSize} byte page` : `  → not mapped: ${w.fault}`);
    return lines.join('\n');
  }
  return undefined;
}

const HELP = [
  'Commands: info gdt | info idt | info tab | creg | sreg | xp /NFU PHYS | x /NFU LINEAR | page LINEAR',
  '  N = count, F = x (hex) d (signed) u (unsigned), U = b (byte) h (2) w (4) g (8)',
  'Expressions: registers (eax, %cr4, rip), bits (cr0.pg, eflags.if, efer.lma), symbols, C operators,',
  '  *(u32*)0x9000, [ds:si], 4(%rsp), sym(%rip), phys(linear)',
].join('\n');

function infoGdt(cpu: Cpu): string {
  const lines = [`Global Descriptor Table (base=${hex(readRegister(cpu, 'gdtr.base') ?? 0n)}, limit=${cpu.gdtLimit}):`];
  for (const e of decodeDescriptorTable(cpu, 'gdt')) {
    if (lines.length > 257) break;
    const what = e.kind === 'null' ? 'null' : `${e.typeName}, base=${hex(e.base)}, limit=${hex(e.limit)}, DPL=${e.dpl}${e.present ? '' : ', not present'}${e.kind === 'code' ? (e.long ? ', 64-bit' : e.db ? ', 32-bit' : ', 16-bit') : e.kind === 'data' && e.db ? ', 32-bit' : ''}`;
    lines.push(`GDT[0x${e.index.toString(16).padStart(2, '0')}]=${hex(e.raw, 16)} sel=${hex(e.selector, 4)} ${what}`);
  }
  return lines.join('\n');
}

function infoIdt(cpu: Cpu): string {
  const real = cpu.mode === 'real';
  const lines = [`${real ? 'Interrupt Vector Table' : 'Interrupt Descriptor Table'} (base=${hex(readRegister(cpu, 'idtr.base') ?? 0n)}, limit=${cpu.idtLimit}):`];
  for (const g of decodeIdt(cpu)) {
    lines.push(real ? `IVT[0x${g.vector.toString(16).padStart(2, '0')}]=${hex(g.selector, 4)}:${hex(g.offset, 4)}` : `IDT[0x${g.vector.toString(16).padStart(2, '0')}]=${g.typeName} ${hex(g.selector, 4)}:${hex(g.offset)}, DPL=${g.dpl}${g.present ? '' : ', not present'}${g.ist ? `, IST=${g.ist}` : ''}`);
  }
  if (lines.length === 1) lines.push('(empty)');
  return lines.join('\n');
}

function infoTab(cpu: Cpu): string {
  if (cpu.paging === 'none') return 'paging off (CR0.PG = 0)';
  const lines = [`cr3: ${hex(readRegister(cpu, 'cr3') ?? 0n)} (${cpu.paging} paging)`];
  for (const r of mappedRanges(cpu, 1 << 18).slice(0, 1000)) {
    lines.push(`${hex(r.linear, 16)}-${hex(r.linear + BigInt(r.size) - 1n, 16)} -> ${hex(r.physical, 12)}-${hex(r.physical + r.size - 1, 12)} ${r.writable ? 'RW' : 'RO'}${r.user ? ' US' : ''}${r.executable ? '' : ' NX'}${r.global ? ' G' : ''}`);
  }
  return lines.join('\n');
}

function creg(cpu: Cpu): string {
  const v = (n: string): bigint => readRegister(cpu, n) ?? 0n;
  return [
    `CR0=${hex(v('cr0'), 8)}: ${setFlagNames(CR0, v('cr0')).join(' ')}`,
    `CR2=page fault linear address=${hex(v('cr2'), 16)}`,
    `CR3=${hex(v('cr3'), 16)}: table base ${hex(v('cr3') & 0x000ffffffffff000n)} ${setFlagNames(CR3, v('cr3') & 0x18n).join(' ')}`,
    `CR4=${hex(v('cr4'), 8)}: ${setFlagNames(CR4, v('cr4')).join(' ')}`,
    `CR8=${hex(v('cr8'))}`,
    `EFER=${hex(v('efer'), 8)}: ${setFlagNames(EFER, v('efer')).join(' ')}`,
  ].join('\n');
}

function sreg(cpu: Cpu): string {
  const lines: string[] = [];
  for (const n of ['es', 'cs', 'ss', 'ds', 'fs', 'gs']) {
    const s = cpu.seg[(SEG_NAMES as readonly string[]).indexOf(n)];
    lines.push(`${n}:${hex(s.selector, 4)}, base=${hex((BigInt(s.baseHi) << 32n) | BigInt(s.base))}, limit=${hex(s.limit)}, attr=${hex(s.attr & 0xf0ff, 4)}${s.usable ? '' : ' (unusable)'}`);
  }
  lines.push(`ldtr:${hex(cpu.ldtr.selector, 4)}, base=${hex(cpu.ldtr.base)}, limit=${hex(cpu.ldtr.limit)}`);
  lines.push(`tr:${hex(cpu.tr.selector, 4)}, base=${hex((BigInt(cpu.tr.baseHi) << 32n) | BigInt(cpu.tr.base))}, limit=${hex(cpu.tr.limit)}`);
  lines.push(`gdtr:base=${hex(readRegister(cpu, 'gdtr.base') ?? 0n)}, limit=${hex(cpu.gdtLimit)}`);
  lines.push(`idtr:base=${hex(readRegister(cpu, 'idtr.base') ?? 0n)}, limit=${hex(cpu.idtLimit)}`);
  return lines.join('\n');
}

function examine(cpu: Cpu, rt: TrampolineRuntime, physical: boolean, address: bigint, count: number, unit: string, format: string): string {
  const size = unit === 'b' ? 1 : unit === 'h' ? 2 : unit === 'g' ? 8 : 4;
  const total = count * size;
  let bytes: Uint8Array | undefined;
  if (physical) bytes = cpu.memory.readBytes(Number(address), total);
  else bytes = peekLinear(cpu, address, total);
  if (!bytes) return `cannot read ${total} byte(s) at linear ${hex(address)}: not mapped`;
  const perLine = size === 1 ? 8 : size === 2 ? 8 : size === 4 ? 4 : 2;
  const lines: string[] = [];
  for (let i = 0; i < count; i += perLine) {
    const at = address + BigInt(i * size);
    const sym = rt.program?.symbolFor(Number(at));
    const label = sym ? ` <${sym.name}+${sym.offset}>` : '';
    const cells: string[] = [];
    for (let k = i; k < Math.min(count, i + perLine); k++) {
      let v = 0n;
      for (let j = size - 1; j >= 0; j--) v = (v << 8n) | BigInt(bytes[k * size + j]);
      if (format === 'd' && v >> BigInt(size * 8 - 1)) cells.push((v - (1n << BigInt(size * 8))).toString());
      else if (format === 'd' || format === 'u') cells.push(v.toString());
      else cells.push(hex(v, size * 2));
    }
    lines.push(`${hex(at, physical ? 8 : 16)}${label}:\t${cells.join('\t')}`);
  }
  return lines.join('\n');
}

export type { EvalContext };
