// Values of the macros cpp computes at each use: __LINE__, __FILE__, __COUNTER__ and friends.
import type { MacroDef } from './macro';
import type { Token } from './token';
import { makeToken } from './token';

export interface SpecialContext {
  /** Added to the physical line (set by #line). */
  lineOffset: number;
  /** What __FILE__ says for the current file. */
  file: string;
  baseFile: string;
  includeLevel: number;
  /** Returns the next __COUNTER__ value. */
  counter(): number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The token a special macro expands to at `nameTok`, or undefined when it does not expand there. */
export function specialMacroValue(macro: MacroDef, nameTok: Token, ctx: SpecialContext): Token | undefined {
  const num = (n: number): Token => makeToken('number', String(n), nameTok);
  const str = (s: string): Token => makeToken('string', JSON.stringify(s), nameTok);
  switch (macro.special) {
    case '__LINE__': {
      // Inside a macro expansion, the line of the outermost call in the text.
      let line = nameTok.line;
      for (let f = nameTok.frame; f; f = f.parent) line = f.site.line;
      return num(line + 1 + ctx.lineOffset);
    }
    case '__FILE__':
      return str(ctx.file);
    case '__BASE_FILE__':
      return str(ctx.baseFile);
    case '__COUNTER__':
      return num(ctx.counter());
    case '__INCLUDE_LEVEL__':
      return num(ctx.includeLevel);
    case '__DATE__': {
      const d = new Date();
      return str(`${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${d.getFullYear()}`);
    }
    case '__TIME__': {
      const d = new Date();
      const two = (n: number): string => String(n).padStart(2, '0');
      return str(`${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`);
    }
    default:
      // __has_include is read by the #if parser before expansion; _Pragma is handled by the expander.
      return undefined;
  }
}
