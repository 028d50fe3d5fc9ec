// Facts the Get Started walkthrough needs from the example it opens: the line of the first mode switch.

/** 0-based line of the first instruction that switches mode (lmsw, or a mov to %cr0), or -1. */
export function firstModeSwitchLine(text: string): number {
  const lines = text.split(/\r?\n/);
  return lines.findIndex((l) => /^\s*(?:[\w.$]+:\s*)?(lmsw\b|mov[lq]?\s+%\w+\s*,\s*%cr0\b)/.test(l));
}
