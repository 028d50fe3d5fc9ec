// Control registers / MSRs / flags as a compact tree in Run and Debug: the same nodes as the Variables scopes,
// single bits as check boxes that write through setVariable (flip CR0.PE, EFER.NXE, EFLAGS.IF at a stop).
import * as vscode from 'vscode';
import { bitToggle, QUICK_VIEW_SCOPES, splitRegisterValue, toggledValue, type BitToggle, type DapVariable } from './logic/control-regs';
import { focusedThread, type SessionState } from './session-state';

export const CONTROL_VIEW = 'x86Trampoline.controlRegisters';

interface RegisterNode {
  kind: 'register';
  variable: DapVariable;
  scope: string;
}

interface BitNode {
  kind: 'bit';
  parent: RegisterNode;
  toggle: BitToggle;
}

type Node = RegisterNode | BitNode;

class ControlRegisters implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly state: SessionState) {}

  refresh(): void {
    this.changed.fire();
  }

  private async frameId(session: vscode.DebugSession): Promise<number | undefined> {
    const item = vscode.debug.activeStackItem;
    if (item instanceof vscode.DebugStackFrame && item.session.id === session.id) return item.frameId;
    const st = (await session.customRequest('stackTrace', { threadId: focusedThread(this.state, session), levels: 1 })) as { stackFrames: { id: number }[] };
    return st.stackFrames[0]?.id;
  }

  /** Registers of the quick-view scopes, read fresh (references from an earlier stop are invalid after a run). */
  private async registers(session: vscode.DebugSession): Promise<RegisterNode[]> {
    const frameId = await this.frameId(session);
    if (frameId === undefined) return [];
    const scopes = (await session.customRequest('scopes', { frameId })) as { scopes: { name: string; variablesReference: number }[] };
    const out: RegisterNode[] = [];
    for (const name of QUICK_VIEW_SCOPES) {
      const scope = scopes.scopes.find((s) => s.name === name);
      if (!scope) continue;
      const vars = (await session.customRequest('variables', { variablesReference: scope.variablesReference })) as { variables: DapVariable[] };
      // Registers with bit children; the Flags scope lists its bits beside EFLAGS, so the scope stands for EFLAGS.
      for (const v of vars.variables) if (v.variablesReference > 0 && !bitToggle(v)) out.push({ kind: 'register', variable: v, scope: name });
      if (name === 'Flags') {
        const flags = vars.variables.find((v) => !bitToggle(v));
        if (flags && flags.variablesReference === 0) out.push({ kind: 'register', variable: { ...flags, variablesReference: scope.variablesReference }, scope: name });
      }
    }
    return out;
  }

  /** The register's current node (fresh reference) by scope and name. */
  private async fresh(session: vscode.DebugSession, node: RegisterNode): Promise<RegisterNode | undefined> {
    return (await this.registers(session)).find((r) => r.scope === node.scope && r.variable.name === node.variable.name);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    const session = this.state.current();
    if (!session || !this.state.isStopped(session)) return [];
    try {
      if (!node) return await this.registers(session);
      if (node.kind === 'bit') return [];
      const reg = await this.fresh(session, node);
      if (!reg) return [];
      const vars = (await session.customRequest('variables', { variablesReference: reg.variable.variablesReference })) as { variables: DapVariable[] };
      return vars.variables.map((v) => bitToggle(v)).filter((t): t is BitToggle => !!t).map((toggle) => ({ kind: 'bit', parent: reg, toggle }));
    } catch {
      return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'register') {
      const { hex, set } = splitRegisterValue(node.variable.value);
      const t = new vscode.TreeItem(node.variable.name.toUpperCase(), vscode.TreeItemCollapsibleState.Collapsed);
      t.description = `${hex}${set.length ? `  ${set.join(' ')}` : ''}`;
      t.tooltip = `${node.scope}: ${node.variable.name} = ${node.variable.value}`;
      t.id = `${node.scope}/${node.variable.name}`;
      return t;
    }
    const b = node.toggle;
    const t = new vscode.TreeItem(b.name, vscode.TreeItemCollapsibleState.None);
    t.description = b.width === 1 ? `bit ${b.lsb}` : `${b.value} · bits ${b.lsb + b.width - 1}:${b.lsb}`;
    t.tooltip = `${node.parent.variable.name.toUpperCase()}.${b.name}: ${b.meaning}`;
    t.id = `${node.parent.scope}/${node.parent.variable.name}/${b.name}`;
    if (b.width === 1) {
      t.checkboxState = b.writable
        ? (b.on ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked)
        : { state: b.on ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked, tooltip: 'read-only' };
    }
    return t;
  }

  /** Writes the flipped bit through setVariable (the adapter re-validates: e.g. PG without PE is refused). */
  async toggle(node: BitNode): Promise<void> {
    const session = this.state.current();
    if (!session) return;
    try {
      const reg = await this.fresh(session, node.parent);
      if (!reg) throw new Error('the register is not available at this stop');
      await session.customRequest('setVariable', { variablesReference: reg.variable.variablesReference, name: node.toggle.name, value: toggledValue(node.toggle) });
    } catch (e) {
      void vscode.window.showErrorMessage(`x86 Trampoline: cannot set ${node.parent.variable.name.toUpperCase()}.${node.toggle.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.refresh();
  }
}

export function registerControlRegisters(context: vscode.ExtensionContext, state: SessionState): void {
  const provider = new ControlRegisters(state);
  const view = vscode.window.createTreeView(CONTROL_VIEW, { treeDataProvider: provider, manageCheckboxStateManually: true });
  context.subscriptions.push(
    view,
    view.onDidChangeCheckboxState(async (e) => {
      for (const [node] of e.items) if (node.kind === 'bit') await provider.toggle(node);
    }),
    state.onStatus.event(() => provider.refresh()),
    state.onContinued.event(() => provider.refresh()),
    state.onEnded.event(() => provider.refresh()),
    vscode.debug.onDidChangeActiveStackItem(() => provider.refresh()),
    vscode.commands.registerCommand('x86Trampoline.controlRegisters.refresh', () => provider.refresh()),
  );
}
