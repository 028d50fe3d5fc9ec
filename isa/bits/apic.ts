// Local APIC (xAPIC, MMIO at IA32_APIC_BASE) register map and fields (Intel SDM vol. 3A ch. 11).
import { field, flag, type BitsDef } from './types';

export interface ApicRegisterDef {
  offset: number;
  name: string;
  meaning: string;
  bits?: BitsDef;
}

const DELIVERY = { 0: 'Fixed', 1: 'Lowest priority', 2: 'SMI', 4: 'NMI', 5: 'INIT', 6: 'Start-up', 7: 'ExtINT' } as const;

export const APIC_LVT: BitsDef = {
  name: 'LVT entry',
  width: 32,
  meaning: 'Local vector table entry: how a local interrupt source (timer, LINT0/1, error…) is delivered.',
  fields: [
    field('VECTOR', 0, 8, 'Interrupt vector delivered.'),
    field('DELIVERY', 8, 3, 'Delivery mode (LINT0/1: Fixed, NMI, ExtINT…; timer and error are always Fixed).', DELIVERY),
    flag('STATUS', 12, 'Delivery status: 1 while an interrupt is pending acceptance (read-only).'),
    flag('POLARITY', 13, 'LINT pins: 1 = active low.'),
    flag('REMOTE_IRR', 14, 'LINT pins, level-triggered: set while the interrupt is being serviced.'),
    flag('TRIGGER', 15, 'LINT pins: 1 = level-triggered, 0 = edge.'),
    flag('MASK', 16, 'Masked: the source cannot interrupt.'),
    field('TIMER_MODE', 17, 2, 'Timer only: 0 one-shot, 1 periodic, 2 TSC-deadline.', { 0: 'one-shot', 1: 'periodic', 2: 'TSC-deadline' }),
  ],
};

export const APIC_ICR: BitsDef = {
  name: 'ICR',
  width: 64,
  meaning: 'Interrupt command register: writing the low half (0x300) sends an IPI; the high half (0x310) holds the destination.',
  fields: [
    field('VECTOR', 0, 8, 'Vector (STARTUP: the AP starts at vector << 12, CS = vector << 8, IP = 0).'),
    field('DELIVERY', 8, 3, 'Delivery mode.', DELIVERY),
    flag('DEST_MODE', 11, '0 = physical (APIC ID), 1 = logical (LDR/DFR).'),
    flag('STATUS', 12, 'Delivery status (xAPIC): 1 while the IPI is being sent.'),
    flag('LEVEL', 14, 'Level: 0 = de-assert (only meaningful for INIT level de-assert).'),
    flag('TRIGGER', 15, 'Trigger mode: 1 = level.'),
    field('SHORTHAND', 18, 2, 'Destination shorthand.', { 0: 'none', 1: 'self', 2: 'all including self', 3: 'all excluding self' }),
    field('DEST', 56, 8, 'Destination APIC ID (physical) or logical mask (xAPIC).'),
  ],
};

export const APIC_SVR: BitsDef = {
  name: 'Spurious-interrupt vector register',
  width: 32,
  meaning: 'APIC software enable and the vector used for spurious interrupts.',
  fields: [
    field('VECTOR', 0, 8, 'Spurious vector.'),
    flag('ENABLE', 8, 'APIC software enable (0 masks every LVT and blocks fixed interrupts).'),
    flag('FOCUS', 9, 'Focus processor checking disabled.'),
    flag('EOI_SUPPRESS', 12, 'Suppress EOI broadcasts.'),
  ],
};

export const APIC_REGISTERS: readonly ApicRegisterDef[] = [
  { offset: 0x020, name: 'ID', meaning: 'Local APIC ID (bits 31:24).' },
  { offset: 0x030, name: 'VERSION', meaning: 'Version (bits 7:0) and number of LVT entries minus one (bits 23:16).' },
  { offset: 0x080, name: 'TPR', meaning: 'Task priority: interrupts with priority class <= TPR[7:4] are held off (CR8 mirrors TPR[7:4]).' },
  { offset: 0x090, name: 'APR', meaning: 'Arbitration priority.' },
  { offset: 0x0a0, name: 'PPR', meaning: 'Processor priority: max(TPR, class of the highest in-service vector).' },
  { offset: 0x0b0, name: 'EOI', meaning: 'End of interrupt: write 0 to retire the highest in-service vector.' },
  { offset: 0x0d0, name: 'LDR', meaning: 'Logical destination (bits 31:24).' },
  { offset: 0x0e0, name: 'DFR', meaning: 'Destination format (flat/cluster).' },
  { offset: 0x0f0, name: 'SVR', meaning: 'Spurious vector and APIC software enable.', bits: APIC_SVR },
  { offset: 0x100, name: 'ISR', meaning: 'In-service register, 256 bits in eight 32-bit words (0x100-0x170).' },
  { offset: 0x180, name: 'TMR', meaning: 'Trigger-mode register (0x180-0x1F0).' },
  { offset: 0x200, name: 'IRR', meaning: 'Interrupt-request register (0x200-0x270).' },
  { offset: 0x280, name: 'ESR', meaning: 'Error status (write to update, then read).' },
  { offset: 0x300, name: 'ICR_LOW', meaning: 'Interrupt command, low half: writing it sends the IPI.', bits: APIC_ICR },
  { offset: 0x310, name: 'ICR_HIGH', meaning: 'Interrupt command, high half: destination in bits 31:24.' },
  { offset: 0x320, name: 'LVT_TIMER', meaning: 'LVT timer entry.', bits: APIC_LVT },
  { offset: 0x330, name: 'LVT_THERMAL', meaning: 'LVT thermal sensor entry.', bits: APIC_LVT },
  { offset: 0x340, name: 'LVT_PERF', meaning: 'LVT performance-counter entry.', bits: APIC_LVT },
  { offset: 0x350, name: 'LVT_LINT0', meaning: 'LVT LINT0 (the 8259 INTR on the BSP in virtual-wire mode: ExtINT).', bits: APIC_LVT },
  { offset: 0x360, name: 'LVT_LINT1', meaning: 'LVT LINT1 (usually NMI).', bits: APIC_LVT },
  { offset: 0x370, name: 'LVT_ERROR', meaning: 'LVT error entry.', bits: APIC_LVT },
  { offset: 0x380, name: 'TIMER_INITIAL', meaning: 'Timer initial count (writing starts the countdown).' },
  { offset: 0x390, name: 'TIMER_CURRENT', meaning: 'Timer current count (read-only).' },
  { offset: 0x3e0, name: 'TIMER_DIVIDE', meaning: 'Timer divide configuration (bits 3, 1:0).' },
];
