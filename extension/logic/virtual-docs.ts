// Read-only documents the extension shows: a macro call's expansion and the preprocessed file, under their own
// URI scheme, and the links from each preprocessed line back to where it came from.
export const VIEW_SCHEME = 'x86-trampoline-view';

export interface PreprocessedOrigin {
  uri: string;
  line: number;
  character: number;
  expansion: { kind: string; name: string; uri: string; line: number }[];
}

export interface PreprocessedView {
  text: string;
  origins: PreprocessedOrigin[];
}

function stem(path: string): string {
  return path.replace(/^.*[\\/]/, '');
}

/** Path part of the view URI: `/expansion/NAME.S@LINE.S` (the .S keeps the gas-x86 language) or `/preprocessed/NAME.S`. */
export function expansionPath(sourcePath: string, line: number): string {
  return `/expansion/${stem(sourcePath)}@${line + 1}.S`;
}

export function preprocessedPath(sourcePath: string): string {
  return `/preprocessed/${stem(sourcePath)}`;
}

export interface LineLink {
  line: number;
  /** Columns of the `# file:line` origin comment the link covers. */
  start: number;
  end: number;
  target: { uri: string; line: number; character: number };
}

/** One link per output line, on its trailing `# origin` comment (or the whole line when there is none). */
export function preprocessedLinks(view: PreprocessedView): LineLink[] {
  const lines = view.text.split('\n');
  const out: LineLink[] = [];
  view.origins.forEach((o, i) => {
    const text = lines[i] ?? '';
    const hash = text.lastIndexOf(' # ');
    const start = hash >= 0 ? hash + 3 : 0;
    out.push({ line: i, start, end: Math.max(start + 1, text.length), target: { uri: o.uri, line: o.line, character: o.character } });
  });
  return out;
}
