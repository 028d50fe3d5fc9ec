// Debug registers DR6 (status) and DR7 (control) (Intel SDM vol. 3B ch. 18.2).
import { field, flag, type BitsDef } from './types';

const RW = { 0: 'execute', 1: 'write', 2: 'I/O (CR4.DE)', 3: 'read/write' } as const;
const LEN = { 0: '1 byte', 1: '2 bytes', 2: '8 bytes', 3: '4 bytes' } as const;

export const DR6: BitsDef = {
  name: 'DR6',
  width: 64,
  meaning: 'Debug status: which condition raised the last #DB.',
  fields: [
    flag('B0', 0, 'Breakpoint 0 (DR0/DR7) condition was met.'),
    flag('B1', 1, 'Breakpoint 1 condition was met.'),
    flag('B2', 2, 'Breakpoint 2 condition was met.'),
    flag('B3', 3, 'Breakpoint 3 condition was met.'),
    flag('BLD', 11, 'Bus-lock detection (cleared by the CPU when it reports one).'),
    flag('BD', 13, 'Debug-register access detected while DR7.GD was set.'),
    flag('BS', 14, 'Single step: the #DB came from EFLAGS.TF.'),
    flag('BT', 15, 'Task switch into a task whose TSS T flag is set.'),
    flag('RTM', 16, 'Cleared when a #DB or #BP happens inside a transactional region.'),
  ],
};

export const DR7: BitsDef = {
  name: 'DR7',
  width: 64,
  meaning: 'Debug control: enables and conditions of the four address breakpoints DR0-DR3.',
  fields: [
    flag('L0', 0, 'Local enable of breakpoint 0 (cleared on task switch).'),
    flag('G0', 1, 'Global enable of breakpoint 0.'),
    flag('L1', 2, 'Local enable of breakpoint 1.'),
    flag('G1', 3, 'Global enable of breakpoint 1.'),
    flag('L2', 4, 'Local enable of breakpoint 2.'),
    flag('G2', 5, 'Global enable of breakpoint 2.'),
    flag('L3', 6, 'Local enable of breakpoint 3.'),
    flag('G3', 7, 'Global enable of breakpoint 3.'),
    flag('LE', 8, 'Local exact breakpoint enable (legacy, ignored by modern CPUs).'),
    flag('GE', 9, 'Global exact breakpoint enable (legacy).'),
    flag('RTM', 11, 'Advanced debugging of transactional regions.'),
    flag('GD', 13, 'General detect: any MOV to/from a debug register raises #DB.'),
    field('RW0', 16, 2, 'Condition of breakpoint 0.', RW),
    field('LEN0', 18, 2, 'Length of breakpoint 0.', LEN),
    field('RW1', 20, 2, 'Condition of breakpoint 1.', RW),
    field('LEN1', 22, 2, 'Length of breakpoint 1.', LEN),
    field('RW2', 24, 2, 'Condition of breakpoint 2.', RW),
    field('LEN2', 26, 2, 'Length of breakpoint 2.', LEN),
    field('RW3', 28, 2, 'Condition of breakpoint 3.', RW),
    field('LEN3', 30, 2, 'Length of breakpoint 3.', LEN),
  ],
};
