// What a session shows outside the editor: the mode status-bar item, the mode timeline tree in Run and Debug,
// and the Problems entries for assembly errors of a failed launch.
import * as vscode from 'vscode';
import { formatStatus } from './logic/status';
import { timelineItem, type TimelineItem } from './logic/timeline';
import { launchOnlyProblems, problemsByFile, type Problem, type ProblemSeverity } from './logic/problems';
import { REQUEST, type ModeTimelineEntry, type ModeTimelineResponse } from './logic/protocol-types';
import type { SessionState } from './session-state';

export const COMMANDS = {
  showTimeline: 'x86Trampoline.showModeTimeline',
  openTimelineEntry: 'x86Trampoline.timeline.open',
  runBackTo: 'x86Trampoline.timeline.runBackTo',
  refreshTimeline: 'x86Trampoline.timeline.refresh',
  runToNextModeSwitch: 'x86Trampoline.runToNextModeSwitch',
} as const;

export const TIMELINE_VIEW = 'x86Trampoline.modeTimeline';

class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('x86Trampoline.mode', vscode.StatusBarAlignment.Left, 50);
  private readonly subs: vscode.Disposable[];
  constructor(private readonly state: SessionState) {
    this.item.name = 'x86 Trampoline CPU mode';
    this.item.command = COMMANDS.showTimeline;
    this.subs = [
      state.onStatus.event(({ session, status }) => {
        if (session !== state.current() && state.current()) return;
        const p = formatStatus(status);
        this.item.text = p.text;
        this.item.tooltip = p.tooltip;
        this.item.show();
      }),
      state.onEnded.event(() => this.refreshForActive()),
      vscode.debug.onDidChangeActiveDebugSession(() => this.refreshForActive()),
    ];
  }
  private refreshForActive(): void {
    const s = this.state.current();
    const status = s && this.state.lastStatus.get(s.id);
    if (!status) return this.item.hide();
    const p = formatStatus(status);
    this.item.text = p.text;
    this.item.tooltip = p.tooltip;
    this.item.show();
  }
  dispose(): void {
    this.item.dispose();
    for (const s of this.subs) s.dispose();
  }
}

interface TimelineNode {
  item: TimelineItem;
  entry: ModeTimelineEntry;
  session: vscode.DebugSession;
}

class TimelineProvider implements vscode.TreeDataProvider<TimelineNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private nodes: TimelineNode[] = [];
  private loading: Promise<void> | undefined;

  constructor(private readonly state: SessionState) {}

  refresh(): void {
    this.loading = undefined;
    this.changed.fire();
  }

  private async load(): Promise<void> {
    const session = this.state.current();
    if (!session) {
      this.nodes = [];
      return;
    }
    try {
      const r = (await session.customRequest(REQUEST.modeTimeline)) as ModeTimelineResponse;
      this.nodes = (r.entries ?? []).map((entry) => ({ entry, item: timelineItem(entry), session }));
    } catch {
      this.nodes = [];
    }
  }

  async getChildren(node?: TimelineNode): Promise<TimelineNode[]> {
    if (node) return [];
    this.loading ??= this.load();
    await this.loading;
    return this.nodes;
  }

  getTreeItem(node: TimelineNode): vscode.TreeItem {
    const t = new vscode.TreeItem(node.item.label, vscode.TreeItemCollapsibleState.None);
    t.description = node.item.description;
    t.tooltip = node.item.tooltip;
    t.iconPath = new vscode.ThemeIcon('arrow-swap');
    t.contextValue = this.state.reversible.has(node.session.id) ? 'modeEvent.reversible' : 'modeEvent';
    if (node.item.source) t.command = { command: COMMANDS.openTimelineEntry, title: 'Open source line', arguments: [node] };
    return t;
  }

  get size(): number {
    return this.nodes.length;
  }
}

function severity(s: ProblemSeverity): vscode.DiagnosticSeverity {
  return s === 'warning' ? vscode.DiagnosticSeverity.Warning : s === 'information' ? vscode.DiagnosticSeverity.Information : s === 'hint' ? vscode.DiagnosticSeverity.Hint : vscode.DiagnosticSeverity.Error;
}

/** The `source` of the language server's diagnostics (server/features/diagnostics.ts). */
const SERVER_DIAGNOSTIC_SOURCE = 'x86-trampoline';

function problemSeverity(s: vscode.DiagnosticSeverity): ProblemSeverity {
  return s === vscode.DiagnosticSeverity.Warning ? 'warning' : s === vscode.DiagnosticSeverity.Information ? 'information' : s === vscode.DiagnosticSeverity.Hint ? 'hint' : 'error';
}

export function registerSessionViews(context: vscode.ExtensionContext, state: SessionState): void {
  const timeline = new TimelineProvider(state);
  const view = vscode.window.createTreeView(TIMELINE_VIEW, { treeDataProvider: timeline, showCollapseAll: false });
  const problems = vscode.languages.createDiagnosticCollection('x86-trampoline-assembler');
  // The last failed launch's problems; Problems shows those the language server does not already report.
  let launchProblems = new Map<string, Problem[]>();
  const serverReported = (file: string) =>
    vscode.languages
      .getDiagnostics(vscode.Uri.file(file))
      .filter((d) => d.source === SERVER_DIAGNOSTIC_SOURCE)
      .map((d) => ({ line: d.range.start.line, severity: problemSeverity(d.severity) }));
  // What the server reported when the launch problems were last shown: our own set() also fires
  // onDidChangeDiagnostics, and only a change on the server's side needs a new look.
  let shownAgainst = '';
  const serverKey = (): string => JSON.stringify([...launchProblems.keys()].map(serverReported));
  const showLaunchProblems = (): void => {
    shownAgainst = serverKey();
    problems.clear();
    for (const [file, list] of launchOnlyProblems(launchProblems, serverReported)) {
      problems.set(vscode.Uri.file(file), list.map((p) => {
        const d = new vscode.Diagnostic(new vscode.Range(p.line, p.column, p.endLine, p.endColumn), p.message, severity(p.severity));
        d.source = 'x86 Trampoline (launch)';
        if (p.code) d.code = p.code;
        return d;
      }));
    }
  };

  context.subscriptions.push(
    new StatusItem(state),
    view,
    problems,
    state.onStatus.event(({ status }) => {
      if (status.newModeEvents?.length || status.timelineLength !== timeline.size) timeline.refresh();
    }),
    state.onEnded.event(() => timeline.refresh()),
    vscode.debug.onDidChangeActiveDebugSession(() => timeline.refresh()),
    state.onAssemblyErrors.event(({ event }) => {
      launchProblems = problemsByFile(event);
      showLaunchProblems();
    }),
    // The server may publish (or fix) a file's diagnostics after the launch failed: show each message once.
    vscode.languages.onDidChangeDiagnostics((e) => {
      if (!launchProblems.size || !e.uris.some((u) => u.scheme === 'file' && launchProblems.has(u.fsPath))) return;
      if (serverKey() !== shownAgainst) showLaunchProblems();
    }),
    state.onLaunched.event(() => {
      launchProblems = new Map();
      problems.clear();
    }),
    vscode.commands.registerCommand(COMMANDS.showTimeline, async () => {
      await vscode.commands.executeCommand(`${TIMELINE_VIEW}.focus`);
    }),
    vscode.commands.registerCommand(COMMANDS.refreshTimeline, () => timeline.refresh()),
    vscode.commands.registerCommand(COMMANDS.openTimelineEntry, async (node: TimelineNode) => {
      const src = node?.item.source;
      if (!src) return;
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(src.path));
      const range = new vscode.Range(src.line, 0, src.line, 0);
      await vscode.window.showTextDocument(doc, { selection: range, preserveFocus: false });
    }),
    vscode.commands.registerCommand(COMMANDS.runBackTo, async (node: TimelineNode) => {
      if (!node) return;
      if (!state.reversible.has(node.session.id)) {
        void vscode.window.showInformationMessage('x86 Trampoline: this session cannot run backwards.');
        return;
      }
      try {
        await node.session.customRequest(REQUEST.runBackTo, { position: node.entry.position });
      } catch (e) {
        void vscode.window.showErrorMessage(`x86 Trampoline: cannot run back: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.runToNextModeSwitch, async () => {
      const session = state.current();
      if (!session) {
        void vscode.window.showInformationMessage('x86 Trampoline: no x86 Trampoline debug session is active.');
        return;
      }
      if (!state.isStopped(session)) {
        void vscode.window.showInformationMessage('x86 Trampoline: the program is running; pause it first.');
        return;
      }
      await state.runToNextModeSwitch(session);
    }),
  );
}
