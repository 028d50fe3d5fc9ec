// The front end's output model: what the language server shows and what the linker and debugger consume.
import type { CodeMode } from '../isa/mode';
import type { InstructionInput } from '../isa/operand';
import type { Diagnostic, Origin } from './source';
import type { Expr, Place } from './expr';

export type StatementKind = 'label' | 'assignment' | 'directive' | 'instruction' | 'macro-call' | 'empty';

export interface Statement {
  kind: StatementKind;
  /** Directive (with dot, lowercase), mnemonic, macro or symbol name. */
  name: string;
  /** The statement text after macro substitution. */
  text: string;
  origin: Origin;
  section: string;
  mode: CodeMode;
  /** Section offset and byte count once laid out (undefined for statements that emit nothing). */
  offset?: number;
  size?: number;
  /** For instructions: the parsed form the encoder saw (when an instruction backend is present). */
  instruction?: InstructionInput;
}

export type Binding = 'local' | 'global' | 'weak';
export type Visibility = 'default' | 'hidden' | 'internal' | 'protected';

export type SymbolDefinition =
  | { kind: 'label'; place: Place }
  | { kind: 'absolute'; value: bigint }
  /** `sym = expr` whose value was not a constant or a place when it was set. */
  | { kind: 'expression'; expr: Expr; text: string };

export interface SymbolInfo {
  name: string;
  definition?: SymbolDefinition;
  /** Where it is defined (label, `=`, `.set`…). */
  defined?: Origin;
  binding: Binding;
  visibility: Visibility;
  /** `.type` value such as 'function' or 'object'. */
  type?: string;
  /** `.size` expression, evaluated after layout into `size`. */
  sizeExpr?: { expr: Expr; origin: Origin; text: string };
  size?: bigint;
  references: Origin[];
  /** `x = y + 4`: x takes y's size and type unless it has its own (GNU copies ELF attributes). */
  attributesFrom?: string;
  /** `.equiv` symbols may not be redefined; `.eqv` symbols are re-evaluated at each use. */
  equiv?: boolean;
  eqv?: boolean;
  /** Its value came from `.set`/`=` (even a place): a later `.set` may change it, unlike a label's. */
  assigned?: boolean;
  /**
   * Definitions a later `.set` replaced, oldest first. GNU gives a redefined symbol a new identity, so a reference
   * keeps the definition current when it was written (or the next one, if it came first): see SymExpr.version.
   */
  earlier?: SymbolDefinition[];
  /** Local symbols never make it into an object file's symbol table (`.L…`, numeric labels). */
  temporary: boolean;
  /** After assembly: section name (or '*ABS*' / '*UND*') and section-relative value. */
  section?: string;
  value?: bigint;
  /** The read chunk that last journaled this symbol (gas/read-journal.ts); -1 when none. */
  journaled: number;
}

export interface MacroParam {
  name: string;
  defaultValue?: string;
  required: boolean;
  vararg: boolean;
}

export interface MacroInfo {
  name: string;
  params: MacroParam[];
  definition: Origin;
  /** Body lines as written. */
  body: string[];
  /** The `.endm` line (for folding and outlines). */
  end?: Origin;
  calls: Origin[];
  purged?: boolean;
  /** The read chunk that last journaled this macro's calls (gas/read-journal.ts). */
  journaled?: number;
}

export interface ModeChange {
  origin: Origin;
  mode: CodeMode;
  /** `.code16gcc` keeps 16-bit encoding but 32-bit default stack operations. */
  gcc?: boolean;
}

export interface SectionInfo {
  name: string;
  flags: string;
  type: string;
  alignment: number;
  size: number;
  /** Bytes after layout (zeros for nobits). */
  bytes: Uint8Array;
}

export interface FrontEndResult {
  statements: Statement[];
  symbols: Map<string, SymbolInfo>;
  macros: Map<string, MacroInfo>;
  modeChanges: ModeChange[];
  /** Statements skipped by false conditionals, for greying out inactive code. */
  skipped: Origin[];
  sections: SectionInfo[];
  diagnostics: Diagnostic[];
}
