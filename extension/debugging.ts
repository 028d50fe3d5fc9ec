// The debugger's VS Code side: the out-of-process adapter, configurations (F5 without launch.json, dynamic
// entries, Add Configuration snippets live in package.json), and workspace trust.
import * as vscode from 'vscode';
import { configFor, dynamicConfigurations, inferStart, isEmptyConfig, withDefaults, type LaunchConfig, type MachineDefaults } from './logic/debug-config';
import type { StartInference, StartMode } from './logic/start-inference';
import { DEBUG_TYPE, LANGUAGE_ID } from './logic/protocol-types';

/** The adapter runs as its own Node process so a runaway guest can never block the extension host. */
class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly context: vscode.ExtensionContext) {}
  createDebugAdapterDescriptor(): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    return new vscode.DebugAdapterExecutable(process.execPath, [this.context.asAbsolutePath('dist/debugAdapter.js')]);
  }
}

export function machineDefaults(): MachineDefaults {
  const c = vscode.workspace.getConfiguration('x86Trampoline');
  return { cpus: c.get<number>('machine.cpus', 1), memory: c.get<number>('machine.memory', 256), cpuid: c.get<Record<string, boolean | string | number>>('machine.cpuid', {}) };
}

/** Reads the program and infers its start mode (undefined when it cannot be read). */
export async function inferFor(path: string): Promise<StartInference | undefined> {
  try {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === path);
    const bytes = open ? new TextEncoder().encode(open.getText()) : await vscode.workspace.fs.readFile(vscode.Uri.file(path));
    return inferStart(path, bytes);
  } catch {
    return undefined;
  }
}

/** The quick pick when the file does not decide the start mode; undefined when the user cancels. */
export async function pickStart(program: string, inference: StartInference): Promise<{ start: StartMode; entry?: string } | undefined> {
  const items = inference.choices.map((c) => ({ label: c.start, description: c.description, detail: c.detail, choice: c }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `How should ${program.replace(/^.*[\\/]/, '')} start?`,
    placeHolder: 'The file does not say which start state it expects; pick one (set "start" in launch.json to skip this)',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked ? { start: picked.choice.start, entry: picked.choice.start === 'long64' ? picked.choice.entry : undefined } : undefined;
}

function trusted(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage('x86 Trampoline: debugging is disabled in Restricted Mode. Trust this workspace to run programs in the emulator.', 'Manage Workspace Trust')
    .then((a) => (a ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
  return false;
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.ProviderResult<vscode.DebugConfiguration> {
    if (!trusted()) return undefined;
    if (isEmptyConfig(config as Partial<LaunchConfig>)) {
      const doc = vscode.window.activeTextEditor?.document;
      if (!doc || (doc.languageId !== LANGUAGE_ID && !/\.(bin|img|rom)$/i.test(doc.fileName))) {
        void vscode.window.showInformationMessage('x86 Trampoline: open a .S file (or add a launch configuration) to debug it.');
        return undefined;
      }
      if (doc.isUntitled) {
        void vscode.window.showInformationMessage('x86 Trampoline: save the file first; the debugger assembles it from disk.');
        return undefined;
      }
      return { ...configFor(doc.uri.fsPath), ...(config.noDebug ? { noDebug: true } : {}) };
    }
    if (!config.program) config.program = '${file}';
    return config;
  }

  async resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    let c = config as LaunchConfig;
    // Read the program when the start mode or the CPU count is left to inference.
    const inference = typeof c.program === 'string' && (c.start === undefined || c.cpus === undefined) ? await inferFor(c.program) : undefined;
    if (typeof c.program === 'string' && c.start === undefined) {
      if (inference?.start) c.start = inference.start;
      else if (inference) {
        const picked = await pickStart(c.program, inference);
        if (!picked) return undefined;
        c.start = picked.start;
        if (picked.entry && c.entry === undefined) c.entry = picked.entry;
      }
    }
    c = withDefaults(c, machineDefaults(), folder?.uri.fsPath, inference);
    return c as vscode.DebugConfiguration;
  }
}

class DynamicProvider implements vscode.DebugConfigurationProvider {
  async provideDebugConfigurations(): Promise<vscode.DebugConfiguration[]> {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== LANGUAGE_ID || doc.isUntitled) return [configFor('${file}', 'ap')];
    const inference = await inferFor(doc.uri.fsPath);
    return inference ? dynamicConfigurations(doc.uri.fsPath, inference) : [configFor('${file}')];
  }
}

export function registerDebugging(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory(context)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new DynamicProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  );
}
