// A tiny numeric-only expression evaluator standing in for gas in isa tests: integers, + - * / << >> | & ^ ~,
// parentheses; any identifier is an unknown (not yet defined) symbol.
import type { Value } from '../../isa/operand';

export function evaluateNumeric(text: string): Value | { error: string } {
  const toks = text.match(/0x[0-9a-f]+|0b[01]+|\d+|[A-Za-z_.$][\w.$]*|<<|>>|\S/gi) ?? [];
  let i = 0;
  let known = true;
  const peek = (): string | undefined => toks[i];
  function primary(): bigint {
    const t = toks[i++];
    if (t === undefined) throw new Error('missing operand');
    if (t === '(') { const v = binary(0); if (toks[i++] !== ')') throw new Error('missing )'); return v; }
    if (t === '-') return -primary();
    if (t === '+') return primary();
    if (t === '~') return ~primary();
    if (/^\d/.test(t)) {
      if (/^0[0-7]+$/.test(t)) return BigInt('0o' + t.slice(1));
      return BigInt(t);
    }
    if (/^[A-Za-z_.$]/.test(t)) { known = false; return 0n; }
    throw new Error(`junk \`${t}'`);
  }
  const prec: Record<string, number> = { '|': 1, '^': 2, '&': 3, '<<': 4, '>>': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6 };
  function binary(min: number): bigint {
    let l = primary();
    for (;;) {
      const op = peek();
      if (op === undefined || !(op in prec) || prec[op] <= min - 1 || prec[op] < min) break;
      i++;
      const r = binary(prec[op] + 1);
      switch (op) {
        case '|': l |= r; break; case '^': l ^= r; break; case '&': l &= r; break;
        case '<<': l <<= r; break; case '>>': l >>= r; break; case '+': l += r; break; case '-': l -= r; break;
        case '*': l *= r; break; case '/': l = r ? l / r : 0n; break; case '%': l = r ? l % r : 0n; break;
      }
    }
    return l;
  }
  try {
    const v = binary(0);
    if (i !== toks.length) return { error: `junk \`${toks.slice(i).join('')}' after expression` };
    return { known, value: BigInt.asIntN(64, v) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
