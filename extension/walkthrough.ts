// Commands and context keys behind the Get Started walkthrough: open the example trampoline (a copy in the
// extension's storage), set a breakpoint on its first mode switch, and mark steps done as the user gets there.
import * as vscode from 'vscode';
import { firstModeSwitchLine } from './logic/walkthrough';
import type { SessionState } from './session-state';

export const WALKTHROUGH_COMMANDS = {
  openExample: 'x86Trampoline.openExample',
  breakOnModeSwitch: 'x86Trampoline.walkthrough.breakOnModeSwitch',
} as const;

const EXAMPLE = ['examples', 'ap-trampoline', 'trampoline.S'];

async function exampleCopy(context: vscode.ExtensionContext): Promise<vscode.Uri> {
  const dir = vscode.Uri.joinPath(context.globalStorageUri, 'example');
  const target = vscode.Uri.joinPath(dir, 'trampoline.S');
  try {
    await vscode.workspace.fs.stat(target);
  } catch {
    await vscode.workspace.fs.createDirectory(dir);
    await vscode.workspace.fs.copy(vscode.Uri.joinPath(context.extensionUri, ...EXAMPLE), target, { overwrite: true });
  }
  return target;
}

export function registerWalkthrough(context: vscode.ExtensionContext, state: SessionState): void {
  const setContext = (key: string, value: boolean) => vscode.commands.executeCommand('setContext', `x86Trampoline.walkthrough.${key}`, value);
  context.subscriptions.push(
    vscode.commands.registerCommand(WALKTHROUGH_COMMANDS.openExample, async () => {
      const uri = await exampleCopy(context);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: false });
    }),
    vscode.commands.registerCommand(WALKTHROUGH_COMMANDS.breakOnModeSwitch, async () => {
      const editor = vscode.window.activeTextEditor;
      const doc = editor?.document.languageId === 'gas-x86' ? editor.document : await vscode.workspace.openTextDocument(await exampleCopy(context));
      const line = firstModeSwitchLine(doc.getText());
      if (line < 0) {
        void vscode.window.showInformationMessage('x86 Trampoline: no lmsw or mov to %cr0 in this file.');
        return;
      }
      const shown = await vscode.window.showTextDocument(doc, { preview: false });
      shown.selection = new vscode.Selection(line, 0, line, 0);
      shown.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenter);
      vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(doc.uri, new vscode.Position(line, 0)))]);
    }),
    vscode.debug.onDidChangeBreakpoints(() => {
      const any = vscode.debug.breakpoints.some((b) => b instanceof vscode.SourceBreakpoint && /\.s$/i.test(b.location.uri.path));
      void setContext('breakpointSet', any);
    }),
    state.onStatus.event(({ status }) => {
      void setContext('debugging', true);
      if (status.mode !== 'real') void setContext('leftRealMode', true);
    }),
  );
}
