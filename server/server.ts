// The language server: wires LSP requests to the feature modules over one Workspace of analyses. Every handler
// is guarded: an exception is logged and answered with an empty result, never a crash.
import {
  CodeActionKind,
  ErrorCodes,
  ResponseError,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { builtinHeaderText } from '../gas/headers/index';
import { normalizeSettings } from './config';
import { HEADER_SCHEME, isBuiltinPath, pathToUri, uriToPath } from './uri';
import { Workspace, type DocAnalysis } from './workspace';
import { computeDiagnostics } from './features/diagnostics';
import { hover } from './features/hover';
import { definition, highlights, prepareRename, references, rename } from './features/navigation';
import { documentLinks, documentSymbols, flattenSymbols, foldingRanges, fuzzyMatch } from './features/outline';
import { completion } from './features/completion';
import { signatureHelp } from './features/signature';
import { legend, semanticTokens } from './features/semantic';
import { inlayHints } from './features/inlay';
import { codeLenses } from './features/lens';
import { EXPAND_MACRO, SHOW_PREPROCESSED, expandMacroText, preprocessedView } from './features/commands';
import { resolveInclude, setSearchPaths } from './features/includes';
import { scanRoots } from './features/workspace-symbols';
import type { SymbolInformation } from 'vscode-languageserver';

export const HEADER_TEXT_REQUEST = 'x86Trampoline/headerText';
export const STATS_REQUEST = 'x86Trampoline/analysisStats';
export const TIMINGS_REQUEST = 'x86Trampoline/requestTimings';
export const PREPROCESSED_SCHEME = 'x86-trampoline-preprocessed';
export const EXPANSION_SCHEME = 'x86-trampoline-expansion';

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const log = (m: string) => connection.console.log(m);
  let pullConfig = false;
  let watchFiles = false;
  const refresh = { semanticTokens: false, inlayHints: false, codeLens: false, foldingRanges: false };
  /** Documents for which a request was answered from an older analysis: refresh those views when it lands. */
  const servedStale = new Set<string>();
  let roots: string[] = [];
  const justOpened = new Set<string>();

  const ws = new Workspace({
    getDocument: (uri) => documents.get(uri),
    allDocuments: () => documents.all(),
    log,
    analysed: (r) => publish(r),
  });
  setSearchPaths(() => ws.includePaths);

  function publish(r: DocAnalysis): void {
    try {
      const doc = documents.get(r.uri);
      if (!doc || doc.version !== r.version) return;
      connection.sendDiagnostics({ uri: r.uri, version: r.version, diagnostics: computeDiagnostics(r, ws.settings) });
      // The lookup tables requests use are built once the diagnostics are out, unless a request needs them first.
      setImmediate(() => {
        if (ws.isLatest(r)) r.index.prepare();
      });
      if (servedStale.delete(r.uri)) {
        if (refresh.semanticTokens) connection.languages.semanticTokens.refresh();
        if (refresh.inlayHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
        if (refresh.codeLens) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
        if (refresh.foldingRanges) void connection.sendRequest('workspace/foldingRange/refresh').catch(() => undefined);
      }
    } catch (e) {
      log(`diagnostics failed for ${r.uri}: ${stack(e)}`);
    }
  }

  /** Time spent inside handlers, per feature (for the benchmark: latency without the transport). */
  const timings = new Map<string, number[]>();

  /** Runs a handler on the document's fresh analysis; any failure is logged and answered with `fallback`. */
  function withDoc<T>(uri: string, fallback: T, fn: (r: DocAnalysis) => T, typing = false): T {
    const t0 = performance.now();
    try {
      const r = typing ? ws.forTyping(uri) : ws.fresh(uri);
      if (!r) return fallback;
      if (typing && r.version !== documents.get(uri)?.version) servedStale.add(uri);
      return fn(r) ?? fallback;
    } catch (e) {
      log(`request failed for ${uri}: ${stack(e)}`);
      return fallback;
    } finally {
      const name = fn.name || 'request';
      const list = timings.get(name) ?? [];
      if (list.length < 100000) list.push(performance.now() - t0);
      timings.set(name, list);
    }
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    pullConfig = !!params.capabilities.workspace?.configuration;
    watchFiles = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    const w = params.capabilities.workspace as Record<string, { refreshSupport?: boolean } | undefined> | undefined;
    refresh.semanticTokens = !!w?.semanticTokens?.refreshSupport;
    refresh.inlayHints = !!w?.inlayHint?.refreshSupport;
    refresh.codeLens = !!w?.codeLens?.refreshSupport;
    refresh.foldingRanges = !!w?.foldingRange?.refreshSupport;
    roots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri));
    if (!roots.length && params.rootUri) roots = [uriToPath(params.rootUri)];
    const init = params.initializationOptions as { settings?: unknown; debounceMs?: number; staleThresholdMs?: number } | undefined;
    if (typeof init?.debounceMs === 'number') ws.debounceMs = init.debounceMs;
    if (typeof init?.staleThresholdMs === 'number') ws.staleThresholdMs = init.staleThresholdMs;
    ws.configure(normalizeSettings(init?.settings), roots);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentHighlightProvider: true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        documentLinkProvider: { resolveProvider: false },
        completionProvider: { triggerCharacters: ['%', '.', '\\', '<', '/', '"', '$'] },
        signatureHelpProvider: { triggerCharacters: [' ', ','], retriggerCharacters: [','] },
        semanticTokensProvider: { legend, full: true, range: true },
        foldingRangeProvider: true,
        inlayHintProvider: true,
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: [EXPAND_MACRO, SHOW_PREPROCESSED] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        // Views as read-only virtual documents (LSP 3.18 text document content). Built-in headers are not
        // advertised: the extension already provides x86-trampoline-header: through x86Trampoline/headerText, and
        // one provider per scheme avoids two answering; the handler still serves them when asked.
        workspace: { textDocumentContent: { schemes: [PREPROCESSED_SCHEME, EXPANSION_SCHEME] } },
      },
      serverInfo: { name: 'x86-trampoline-language-server' },
    };
  });

  async function loadConfig(): Promise<void> {
    if (!pullConfig) return;
    try {
      const raw = await connection.workspace.getConfiguration('x86Trampoline');
      ws.configure(normalizeSettings(raw), roots);
    } catch (e) {
      log(`configuration request failed: ${stack(e)}`);
    }
  }

  connection.onInitialized(() => {
    if (pullConfig) void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
    // Headers and included files change on disk too (git checkout, another editor): re-analyse their includers.
    if (watchFiles)
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{S,s,h,inc,sx}' }] })
        .catch(() => undefined);
    void loadConfig();
  });

  connection.onDidChangeConfiguration((p) => {
    const s = (p.settings as Record<string, unknown> | undefined)?.x86Trampoline;
    if (s) ws.configure(normalizeSettings(s), roots);
    else void loadConfig();
  });

  connection.onDidChangeWatchedFiles((p) => {
    diskSymbols = undefined;
    for (const c of p.changes) ws.diskChanged(uriToPath(c.uri));
  });

  documents.onDidOpen((e) => {
    justOpened.add(e.document.uri);
    ws.opened(e.document);
  });
  documents.onDidChangeContent((e) => {
    if (justOpened.delete(e.document.uri)) return;
    ws.changed(e.document);
  });
  documents.onDidClose((e) => {
    ws.closed(e.document.uri);
    connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover((p) => withDoc(p.textDocument.uri, null, function hoverRequest(r) { return hover(r, p.position); }));
  connection.onDefinition((p) => withDoc(p.textDocument.uri, [], function definitionRequest(r) { return definition(r, p.position); }));
  connection.onReferences((p) => withDoc(p.textDocument.uri, [], (r) => references(r, p.position, p.context.includeDeclaration)));
  connection.onDocumentHighlight((p) => withDoc(p.textDocument.uri, [], (r) => highlights(r, p.position)));
  connection.onPrepareRename((p) => withDoc(p.textDocument.uri, null, (r) => prepareRename(r, p.position)));
  connection.onRenameRequest((p) => {
    if (!/^[A-Za-z_.$][\w.$]*$/.test(p.newName)) throw new ResponseError(ErrorCodes.InvalidParams, `'${p.newName}' is not a valid symbol name`);
    return withDoc(p.textDocument.uri, null, (r) => rename(r, p.position, p.newName));
  });
  // Views the editor re-requests after every edit answer from the last analysis while a newer one is pending
  // (large files), and are refreshed when it lands.
  connection.onDocumentSymbol((p) => withDoc(p.textDocument.uri, [], (r) => documentSymbols(r), true));
  connection.onDocumentLinks((p) =>
    withDoc(p.textDocument.uri, [], (r) => {
      const links = documentLinks(r);
      r.lines.forEach((text, line) => {
        const m = /^(\s*\.include\s+")([^"]+)"/.exec(text);
        if (!m) return;
        const target = resolveInclude(r, m[2], false);
        if (target) links.push({ range: { start: { line, character: m[1].length }, end: { line, character: m[1].length + m[2].length } }, target: pathToUri(target) });
      });
      return links;
    }),
  );
  // Symbols of assembly files on disk: rescanned after file events or when older than a minute.
  let diskSymbols: SymbolInformation[] | undefined;
  let diskScanned = 0;
  connection.onWorkspaceSymbol((p) => {
    try {
      const out: SymbolInformation[] = [];
      const seen = new Set<string>();
      const push = (s: SymbolInformation) => {
        const k = `${s.name}@${s.location.uri}:${s.location.range.start.line}`;
        if (!seen.has(k) && fuzzyMatch(p.query, s.name)) { seen.add(k); out.push(s); }
      };
      for (const d of documents.all()) {
        const r = ws.last(d.uri) ?? ws.fresh(d.uri);
        if (r) for (const s of flattenSymbols(r.uri, documentSymbols(r))) push(s);
      }
      if (!diskSymbols || Date.now() - diskScanned > 60_000) {
        diskSymbols = scanRoots(roots);
        diskScanned = Date.now();
      }
      const open = new Set(documents.all().map((d) => d.uri));
      for (const s of diskSymbols) if (!open.has(s.location.uri)) push(s);
      return out.slice(0, 1000);
    } catch (e) {
      log(`workspace symbols failed: ${stack(e)}`);
      return [];
    }
  });
  connection.onCompletion((p) => withDoc(p.textDocument.uri, [], (r) => completion(r, p.position), true));
  connection.onSignatureHelp((p) => withDoc(p.textDocument.uri, null, (r) => signatureHelp(r, p.position), true));
  connection.languages.semanticTokens.on((p) => withDoc(p.textDocument.uri, { data: [] }, (r) => semanticTokens(r), true));
  connection.languages.semanticTokens.onRange((p) => withDoc(p.textDocument.uri, { data: [] }, (r) => semanticTokens(r, p.range), true));
  connection.onFoldingRanges((p) => withDoc(p.textDocument.uri, [], (r) => foldingRanges(r), true));
  connection.languages.inlayHint.on((p) => withDoc(p.textDocument.uri, [], (r) => inlayHints(r, p.range), true));
  connection.onCodeLens((p) => withDoc(p.textDocument.uri, [], (r) => codeLenses(r), true));
  // Quick fix for the 16-bit lgdt/lidt note: the l suffix (32-bit operand size, full 32-bit base).
  connection.onCodeAction((p) =>
    p.context.diagnostics
      .filter((d) => d.code === 'descriptor-table-24bit')
      .map((d) => {
        const doc = documents.get(p.textDocument.uri);
        const word = doc?.getText(d.range) ?? '';
        return {
          title: `Use ${word}l (32-bit base)`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: true,
          edit: { changes: { [p.textDocument.uri]: [{ range: d.range, newText: word + 'l' }] } },
        };
      })
      .filter((a) => /^l[gi]dtl$/.test(a.edit.changes[p.textDocument.uri][0].newText)),
  );

  connection.onExecuteCommand((p) => {
    try {
      const arg = (p.arguments?.[0] ?? {}) as { uri?: string; position?: { line: number; character: number }; textDocument?: { uri: string } };
      const uri = arg.uri ?? arg.textDocument?.uri ?? (typeof p.arguments?.[0] === 'string' ? (p.arguments[0] as string) : undefined);
      if (!uri) return null;
      const position = arg.position ?? (p.arguments?.[1] as { line: number; character: number } | undefined);
      if (p.command === EXPAND_MACRO) return withDoc(uri, null, (r) => (position ? expandMacroText(r, position.line) : null));
      if (p.command === SHOW_PREPROCESSED) return withDoc(uri, null, (r) => preprocessedView(r));
    } catch (e) {
      log(`command ${p.command} failed: ${stack(e)}`);
    }
    return null;
  });

  const headerText = (uri: string): string | null => {
    try {
      const path = uriToPath(uri);
      if (isBuiltinPath(path)) return builtinHeaderText(path) ?? null;
      return ws.fs.readText(path) ?? null;
    } catch (e) {
      log(`header text failed: ${stack(e)}`);
      return null;
    }
  };
  connection.onRequest(HEADER_TEXT_REQUEST, (p: { uri: string }) => ({ text: headerText(p.uri) }));
  /**
   * `x86-trampoline-preprocessed:/path/file.S` is the file as the assembler saw it; `x86-trampoline-expansion:
   * /path/file.S?line=N` the expansion of the macro call on line N (0-based). Both need the file open.
   */
  const virtualText = (uri: string): string => {
    const m = /^([\w-]+):([^?]*)(?:\?line=(\d+))?$/.exec(uri);
    if (!m) return '';
    if (m[1] === HEADER_SCHEME) return headerText(uri) ?? '';
    const source = pathToUri(decodeURIComponent(m[2]));
    if (m[1] === PREPROCESSED_SCHEME) return withDoc(source, '', (r) => preprocessedView(r).text);
    if (m[1] === EXPANSION_SCHEME) return withDoc(source, '', (r) => expandMacroText(r, Number(m[3] ?? 0)) ?? '# no macro call on this line\n');
    return '';
  };
  connection.workspace.textDocumentContent.on((p) => ({ text: virtualText(p.uri) }));
  /** Handler times in ms per request kind since the last call (which clears them). */
  connection.onRequest(TIMINGS_REQUEST, () => {
    const out = Object.fromEntries(timings);
    timings.clear();
    return out;
  });
  connection.onRequest(STATS_REQUEST, (p: { uri: string }) => {
    const r = ws.last(p.uri);
    return r
      ? { version: r.version, millis: r.millis, cpuMillis: r.cpuMillis, cpp: r.cpp, gas: r.gas, cached: !!r.cached, statements: r.analysis.statements.length, diagnostics: r.analysis.diagnostics.length }
      : null;
  });

  documents.listen(connection);
  connection.listen();
}

function stack(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
