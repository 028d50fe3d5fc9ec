// The adapter's custom protocol as the extension sees it (type-only: the adapter runs in its own process).
export type {
  AssemblyErrorsEvent,
  ModeTimelineEntry,
  ModeTimelineResponse,
  PageTablesBody,
  StatusBody,
  StatusEvent,
  TranslateBody,
} from '../../debug-adapter/protocol';

/** Names of the adapter's custom requests and events (debug-adapter/protocol.ts documents them). */
export const REQUEST = {
  modeTimeline: 'x86Trampoline.modeTimeline',
  status: 'x86Trampoline.status',
  pageTables: 'x86Trampoline.pageTables',
  translate: 'x86Trampoline.translate',
  runBackTo: 'x86Trampoline.runBackTo',
} as const;

export const EVENT = {
  status: 'x86Trampoline.status',
  assemblyErrors: 'x86Trampoline.assemblyErrors',
} as const;

export const DEBUG_TYPE = 'x86-trampoline';
export const LANGUAGE_ID = 'gas-x86';
