// Lexes a short piece of text (a `##` result, a -D value) into tokens with the file lexer's rules.
import { lexFile, lineTokens } from './lexer';
import type { Token } from './token';

export function lexFragment(text: string, file = ''): Token[] {
  const lexed = lexFile(file, text);
  const out: Token[] = [];
  for (const l of lexed.lines) for (const t of lineTokens(lexed, l)) out.push(t);
  return out;
}
