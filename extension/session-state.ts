// Follows x86 Trampoline debug sessions through a DebugAdapterTracker: the adapter's status and assembly-error
// events, stops and continues, and the exception filters VS Code sent (so "run to next mode switch" can add
// `mode` for one run). The views subscribe to the events here instead of tracking sessions themselves.
import * as vscode from 'vscode';
import { DEBUG_TYPE, EVENT, type AssemblyErrorsEvent, type StatusEvent } from './logic/protocol-types';

interface ExceptionFilterState {
  filters: string[];
  filterOptions?: { filterId: string; condition?: string }[];
}

export class SessionState implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly onStatus = new vscode.EventEmitter<{ session: vscode.DebugSession; status: StatusEvent }>();
  readonly onStopped = new vscode.EventEmitter<{ session: vscode.DebugSession; threadId?: number }>();
  readonly onContinued = new vscode.EventEmitter<vscode.DebugSession>();
  readonly onEnded = new vscode.EventEmitter<vscode.DebugSession>();
  readonly onAssemblyErrors = new vscode.EventEmitter<{ session: vscode.DebugSession; event: AssemblyErrorsEvent }>();
  readonly onLaunched = new vscode.EventEmitter<vscode.DebugSession>();
  /** The last status per session (for views opened mid-session). */
  readonly lastStatus = new Map<string, StatusEvent>();
  readonly exceptionFilters = new Map<string, ExceptionFilterState>();
  readonly stopped = new Set<string>();
  /** Sessions whose adapter reported reverse execution (supportsStepBack). */
  readonly reversible = new Set<string>();

  constructor() {
    this.disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, { createDebugAdapterTracker: (s) => this.tracker(s) }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.type !== DEBUG_TYPE) return;
        this.lastStatus.delete(s.id);
        this.exceptionFilters.delete(s.id);
        this.stopped.delete(s.id);
        this.reversible.delete(s.id);
        this.onEnded.fire(s);
      }),
      this.onStatus, this.onStopped, this.onContinued, this.onEnded, this.onAssemblyErrors, this.onLaunched,
    );
  }

  /** The session the views show: the active one if it is ours, else any of ours that is still running. */
  current(): vscode.DebugSession | undefined {
    const a = vscode.debug.activeDebugSession;
    if (a?.type === DEBUG_TYPE) return a;
    return undefined;
  }

  isStopped(session: vscode.DebugSession | undefined): boolean {
    return !!session && this.stopped.has(session.id);
  }

  private tracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    return {
      onWillReceiveMessage: (m: { type?: string; command?: string; arguments?: ExceptionFilterState }) => {
        if (m.type === 'request' && m.command === 'setExceptionBreakpoints' && m.arguments) {
          this.exceptionFilters.set(session.id, { filters: [...(m.arguments.filters ?? [])], filterOptions: m.arguments.filterOptions });
        }
      },
      onDidSendMessage: (m: { type?: string; event?: string; command?: string; success?: boolean; body?: unknown }) => {
        if (m.type === 'response' && m.command === 'initialize' && m.success) {
          const caps = m.body as { supportsStepBack?: boolean } | undefined;
          if (caps?.supportsStepBack) this.reversible.add(session.id);
        }
        if (m.type !== 'event') return;
        switch (m.event) {
          case 'initialized':
            this.onLaunched.fire(session);
            break;
          case 'stopped':
            this.stopped.add(session.id);
            this.onStopped.fire({ session, threadId: (m.body as { threadId?: number } | undefined)?.threadId });
            break;
          case 'continued':
            this.stopped.delete(session.id);
            this.onContinued.fire(session);
            break;
          case 'terminated':
          case 'exited':
            this.stopped.delete(session.id);
            break;
          case EVENT.status: {
            const status = m.body as StatusEvent;
            this.lastStatus.set(session.id, status);
            this.onStatus.fire({ session, status });
            break;
          }
          case EVENT.assemblyErrors:
            this.onAssemblyErrors.fire({ session, event: m.body as AssemblyErrorsEvent });
            break;
        }
      },
      onWillStartSession: () => this.stopped.delete(session.id),
    };
  }

  /** Continues with the `mode` filter on until the next stop, then restores the filters VS Code had set. */
  async runToNextModeSwitch(session: vscode.DebugSession): Promise<void> {
    const saved = this.exceptionFilters.get(session.id);
    const needs = saved && !saved.filters.includes('mode') && !(saved.filterOptions ?? []).some((o) => o.filterId === 'mode');
    if (needs) {
      await session.customRequest('setExceptionBreakpoints', { filters: [...saved.filters, 'mode'], filterOptions: saved.filterOptions });
      const restore = this.onStopped.event((e) => {
        if (e.session.id !== session.id) return;
        restore.dispose();
        void session.customRequest('setExceptionBreakpoints', saved).then(undefined, () => undefined);
      });
      this.disposables.push(restore);
    }
    // VS Code's own continue keeps its UI state (running/paused) right; the adapter sends no `continued` event.
    await vscode.commands.executeCommand('workbench.action.debug.continue');
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The thread of the focused stack item in `session`, or the CPU the last status named (thread = CPU + 1). */
export function focusedThread(state: SessionState, session: vscode.DebugSession): number {
  const item = vscode.debug.activeStackItem;
  if (item && item.session.id === session.id) return item.threadId;
  const st = state.lastStatus.get(session.id);
  return st ? st.cpu + 1 : 1;
}
