// What a session shows outside the editor: the mode status-bar item, the mode timeline tree in Run and Debug,
// and the Problems entries for assembly errors of a failed launch.
import * as vscode from 'vscode';
import { formatStatus } from './logic/status';
import { timelineItem, type TimelineItem } from './logic/timeline';
import { problemsByFile, type ProblemSeverity } from './logic/problems';
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

export function registerSessionViews(context: vscode.ExtensionContext, state: SessionState): void {
  const timeline = new TimelineProvider(state);
  const view = vscode.window.createTreeView(TIMELINE_VIEW, { treeDataProvider: timeline, showCollapseAll: false });
  const problems = vscode.languages.createDiagnosticCollection('x86-trampoline-assembler');

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
      problems.clear();
      for (const [file, list] of problemsByFile(event)) {
        problems.set(vscode.Uri.file(file), list.map((p) => {
          const d = new vscode.Diagnostic(new vscode.Range(p.line, p.column, p.endLine, p.endColumn), p.message, severity(p.severity));
          d.source = 'x86 Trampoline (launch)';
          if (p.code) d.code = p.code;
          return d;
        }));
      }
    }),
    state.onLaunched.event(() => problems.clear()),
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
