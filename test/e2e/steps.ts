// A tiny step runner for the end-to-end test: named steps run in order, each under its own time limit; a failure
// of a required step blocks the steps after it (they are counted as failed, since nothing after it was verified);
// pending steps are features not built yet, reported but never counted as passed. The last line is "N passed, N failed".

export interface Step {
  name: string;
  /** Milliseconds the step may take; a step that takes longer fails. */
  timeoutMs?: number;
  /** Set while the feature the step checks does not exist yet: printed as "pending", not run, not counted. */
  pending?: string;
  /**
   * A product bug the step is known to find (reported to its owner): the step runs; a failure is printed as
   * "known" and counted as pending, a pass is counted and flagged so the marker gets removed.
   */
  knownIssue?: string;
  /** Later steps cannot run without this one (setting up the editor); its failure blocks them. */
  required?: boolean;
  run?: () => Promise<string | void>;
}

export interface Summary {
  passed: number;
  failed: number;
  pending: number;
}

const DEFAULT_STEP_TIMEOUT_MS = 60_000;

export class StepTimeout extends Error {}

/** Races `work` against a timer; the timer never keeps the process alive. */
export async function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeout(`${what}: timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function indent(text: string): string {
  return text.split('\n').map((l) => `      ${l}`).join('\n');
}

/** The message and the first stack frame in the test's own code; Playwright's call log stays, its colours go. */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const where = (err.stack ?? '').split('\n').find((l) => /^\s+at .*test\/e2e\//.test(l));
  // eslint-disable-next-line no-control-regex
  const message = err.message.replace(/\u001b\[[0-9;]*m/g, '');
  return where ? `${message}\n${where.trim()}` : message;
}

export async function runSteps(steps: Step[], log: (line: string) => void = console.log): Promise<Summary> {
  const summary: Summary = { passed: 0, failed: 0, pending: 0 };
  let blockedBy: string | undefined;
  for (const [i, step] of steps.entries()) {
    const label = `${String(i + 1).padStart(2, '0')} ${step.name}`;
    if (step.pending !== undefined || !step.run) {
      summary.pending++;
      log(`  - pending  ${label}  (TODO: ${step.pending ?? 'not written'})`);
      continue;
    }
    if (blockedBy !== undefined) {
      summary.failed++;
      log(`  x blocked  ${label}  (after "${blockedBy}" failed)`);
      continue;
    }
    const started = Date.now();
    try {
      const detail = await withTimeout(step.name, step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS, step.run());
      summary.passed++;
      log(`  ok         ${label}  (${seconds(Date.now() - started)})`);
      if (step.knownIssue) log(`      passes now: remove knownIssue ("${step.knownIssue}")`);
      if (detail) log(indent(detail));
    } catch (err) {
      if (step.knownIssue) {
        summary.pending++;
        log(`  - known    ${label}  (${seconds(Date.now() - started)}; known issue: ${step.knownIssue})`);
      } else {
        summary.failed++;
        if (step.required) blockedBy = step.name;
        log(`  FAIL       ${label}  (${seconds(Date.now() - started)})`);
      }
      log(indent(describeError(err)));
    }
  }
  return summary;
}
