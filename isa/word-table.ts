// Directive and mnemonic words, lowercased, one string per distinct word. Every statement records its word; a
// fresh slice and lowercase copy for each of them was a string per statement kept to the end of the run (strings
// are never allocated straight into the old generation, so the young-generation collector copied each twice).

const SIZE = 4096;
const MASK = SIZE - 1;
/** Beyond this many distinct words the table stops adding (the rest are sliced as before). */
const MAX_WORDS = SIZE / 2;

export class WordTable {
  private readonly words: (string | undefined)[] = new Array(SIZE).fill(undefined);
  private count = 0;

  /** text[start, end) lowercased (ASCII letters), the same string object each time for the same word. */
  lower(text: string, start: number, end: number): string {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) {
      let c = text.charCodeAt(i);
      if (c >= 128) return text.slice(start, end).toLowerCase();
      if (c >= 65 && c <= 90) c += 32;
      h = Math.imul(h ^ c, 0x01000193);
    }
    const n = end - start;
    for (let k = h & MASK; ; k = (k + 1) & MASK) {
      const w = this.words[k];
      if (w === undefined) {
        const fresh = text.slice(start, end).toLowerCase();
        if (this.count < MAX_WORDS) {
          this.words[k] = fresh;
          this.count++;
        }
        return fresh;
      }
      if (w.length === n && sameLowered(w, text, start)) return w;
    }
  }
}

function sameLowered(word: string, text: string, start: number): boolean {
  for (let i = 0; i < word.length; i++) {
    let c = text.charCodeAt(start + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}
