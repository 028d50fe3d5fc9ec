// The adapter's protocol beyond standard DAP, for the extension (type-only imports) and any other client.
// Custom requests (session.customRequest):
//   x86Trampoline.modeTimeline {}                         → ModeTimelineResponse
//   x86Trampoline.status       { threadId? }              → StatusBody
//   x86Trampoline.pageTables   { threadId? }              → PageTablesBody
//   x86Trampoline.translate    { address, threadId? }     → TranslateBody   (address: number or "0x…")
//   x86Trampoline.runBackTo    { position }               → {} then a `stopped` event (reverse execution)
// Custom events:
//   x86Trampoline.status         after every stop: StatusEvent (the status, and the mode events since the last stop)
//   x86Trampoline.assemblyErrors when launch fails to assemble: AssemblyErrorsEvent (for the Problems view)
// Exception-breakpoint filter ids: mode, paging, cr3, cr, msr, descriptor-tables, exception (condition: vectors
// such as "13,14"), triple-fault, halt, sipi. Threads are CPUs (thread id = CPU index + 1). Memory references and
// instruction pointer references are linear addresses as "0x…". The Debug Console also takes `info gdt`,
// `info idt`, `info tab`, `creg`, `sreg`, `xp /NFU ADDR`, `x /NFU ADDR`, `page ADDR`, `help`.

export interface ModeTimelineEntry {
  /** Execution position before the instruction that switched (pass to x86Trampoline.runBackTo). */
  position: number;
  /** Instructions retired by all CPUs before that instruction. */
  instructionCount: number;
  cpu: number;
  /** `real`, `protected (16-bit)`, `protected`, `long (compatibility)`, `long (64-bit)`. */
  from: string;
  to: string;
  fromPaging: string;
  toPaging: string;
  /** One sentence, e.g. `Mode switch: protected → long (compatibility): CR0.PG 0→1 with EFER.LME=1`. */
  description: string;
  cs: number;
  rip: string;
  /** 0-based line of the instruction that switched. */
  source?: { path: string; line: number };
}

export interface ModeTimelineResponse {
  entries: ModeTimelineEntry[];
}

export interface StatusBody {
  /** 'real' | 'v86' | 'protected' | 'compat' | 'long'. */
  mode: string;
  /** Code size: 16, 32 or 64. */
  bits: number;
  /** 'none' | '32-bit' | 'pae' | '4-level' | '5-level'. */
  paging: string;
  instructionCount: number;
  cpu: number;
  position: number;
  state: 'idle' | 'stopped' | 'running' | 'terminated';
}

export interface StatusEvent extends StatusBody {
  reason: string;
  description: string;
  timelineLength: number;
  newModeEvents: ModeTimelineEntry[];
}

export interface PageTablesBody {
  paging: string;
  cr3: string;
  /** Present mappings, coalesced where linear and physical are contiguous with equal permissions and page size. */
  ranges: { linear: string; physical: string; size: number; writable: boolean; user: boolean; executable: boolean; global: boolean; pageSize: number }[];
}

export interface TranslateBody {
  linear: string;
  physical?: string;
  paging: string;
  levels: { name: string; entryAddress: string; value: string; leaf: boolean }[];
  fault?: string;
  writable?: boolean;
  user?: boolean;
  executable?: boolean;
  pageSize?: number;
}

export interface AssemblyErrorsEvent {
  program: string;
  /** 1-based lines and columns. */
  diagnostics: { file: string; line: number; column: number; endLine: number; endColumn: number; severity: string; message: string; code?: string }[];
}
