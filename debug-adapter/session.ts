// Translates DAP requests into calls on the runtime and runtime notifications into DAP events; no debugging
// logic lives here. Every handler answers: failures become error responses, never a dead adapter.
import {
  Breakpoint, BreakpointEvent, ContinuedEvent, Event, ExitedEvent, InitializedEvent, LoggingDebugSession, OutputEvent,
  Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread, ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { basename, resolve } from 'node:path';
import { DiskFileSystem } from './runtime/disk-fs';
import { EXCEPTION_FILTERS, TrampolineRuntime, type StopInfo } from './runtime/runtime';
import { LaunchError, type LaunchArguments } from './runtime/launch';
import { resultChildren, scopesFor, type VarNode } from './runtime/variables';
import { evaluateExpression, formatResult } from './runtime/evaluate';
import { consoleCompletions, runConsoleCommand } from './runtime/commands';
import { disassembleAt } from './runtime/disassembly';
import { parseNumber } from './runtime/numbers';
import type { UserBreakpoint } from './runtime/breakpoints';

const FRAME_STRIDE = 10_000;

/** A list argument: absent → empty, anything else but an array → a clear error. */
function list<T>(value: T[] | undefined, name: string): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`'${name}' must be a list`);
  return value;
}

interface LaunchRequestArguments extends DebugProtocol.LaunchRequestArguments, LaunchArguments {}

export class TrampolineDebugSession extends LoggingDebugSession {
  private readonly runtime: TrampolineRuntime;
  private readonly fs = new DiskFileSystem();
  private variables = new Map<number, () => VarNode[]>();
  private nextVariableRef = 1;
  private lastStop: StopInfo | undefined;
  private configurationDone: () => void = () => {};
  private readonly configured: Promise<void>;
  private launched = false;
  private timelineSent = 0;

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(false);
    this.setDebuggerColumnsStartAt1(false);
    this.configured = new Promise((r) => (this.configurationDone = r));
    this.runtime = new TrampolineRuntime({
      stopped: (s) => this.onStopped(s),
      output: (text, category) => this.sendEvent(new OutputEvent(text, category)),
      exited: (code, message) => {
        this.sendEvent(new OutputEvent(`Program ended: ${message}\n`, 'console'));
        this.sendEvent(new ExitedEvent(code));
        this.sendEvent(new TerminatedEvent());
      },
      continued: () => this.invalidateVariables(),
      threadStarted: (cpu) => this.sendEvent(new ThreadEvent('started', cpu + 1)),
    });
  }

  /** Arguments that are not an object (garbage clients) become an empty object, so handlers see fields. */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    if (request.arguments === null || typeof request.arguments !== 'object' || Array.isArray(request.arguments)) request.arguments = {};
    super.dispatchRequest(request);
  }

  /** Stop events raised while a synchronous action runs are sent after its response (DAP's preferred order). */
  private held: StopInfo[] | undefined;

  private respondThen(response: DebugProtocol.Response, action: () => void): void {
    this.held = [];
    try {
      action();
      const stops = this.held;
      this.held = undefined;
      this.sendResponse(response);
      for (const s of stops) this.onStopped(s);
    } catch (e) {
      const stops = this.held ?? [];
      this.held = undefined;
      this.fail(response, e);
      for (const s of stops) this.onStopped(s);
    }
  }

  /** Runs a handler; any exception becomes an error response (and the adapter keeps going). */
  private guard(response: DebugProtocol.Response, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.fail(response, e);
    }
  }

  private fail(response: DebugProtocol.Response, e: unknown, id = 2001): void {
    const message = e instanceof Error ? e.message : String(e);
    this.sendErrorResponse(response, { id, format: message.replace(/\{/g, '(').replace(/\}/g, ')'), showUser: true });
  }

  private async guardAsync(f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      this.sendEvent(new OutputEvent(`x86 Trampoline internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`, 'stderr'));
      if (this.runtime.state === 'running') {
        this.runtime.state = 'stopped';
        this.onStopped({ reason: 'exception', cpu: this.runtime.focusCpu, description: `Internal error: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
  }

  private invalidateVariables(): void {
    this.variables.clear();
  }

  private onStopped(s: StopInfo): void {
    if (this.held) {
      this.held.push(s);
      return;
    }
    this.invalidateVariables();
    this.lastStop = s;
    const ev = new StoppedEvent(s.reason, s.cpu + 1) as DebugProtocol.StoppedEvent;
    ev.body.description = s.description;
    ev.body.text = s.exception?.description ?? s.description;
    ev.body.allThreadsStopped = true;
    if (s.hitBreakpointIds) ev.body.hitBreakpointIds = s.hitBreakpointIds;
    this.sendEvent(ev);
    const status = this.runtime.status(s.cpu);
    const fresh = this.runtime.timeline.slice(Math.min(this.timelineSent, this.runtime.timeline.length));
    this.timelineSent = this.runtime.timeline.length;
    this.sendEvent(new Event('x86Trampoline.status', { ...status, reason: s.reason, description: s.description, timelineLength: this.runtime.timeline.length, newModeEvents: fresh }));
  }

  private cpuOfThread(threadId: number | undefined): number {
    const cpu = (threadId ?? this.runtime.focusCpu + 1) - 1;
    const n = this.runtime.machine?.cpus.length ?? 0;
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= n) throw new Error(`unknown thread ${threadId} (threads are CPUs 1..${n})`);
    return cpu;
  }

  // ---- lifecycle -------------------------------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsStepBack: true,
      supportsSetVariable: true,
      supportsRestartRequest: true,
      supportsGotoTargetsRequest: true,
      supportsExceptionInfoRequest: true,
      supportsTerminateRequest: true,
      supportsDataBreakpoints: true,
      supportsDisassembleRequest: true,
      supportsSteppingGranularity: true,
      supportsInstructionBreakpoints: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsLoadedSourcesRequest: true,
      supportsExceptionFilterOptions: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: [' ', '.', '%'],
      supportsValueFormattingOptions: false,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({
        filter: f.id,
        label: f.label,
        description: f.description,
        default: f.default,
        supportsCondition: f.supportsCondition,
        conditionDescription: f.conditionDescription,
      })),
    };
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchRequestArguments): Promise<void> {
    if (this.launched) return this.fail(response, new Error('this session already launched a program; start a new debug session or use Restart'), 2002);
    try {
      const plan = this.runtime.launch(args, this.fs);
      this.launched = true;
      this.sendEvent(new OutputEvent(`x86 Trampoline: ${basename(plan.program.path)} (${plan.program.image.length} bytes), start ${plan.start}, ${plan.cpus} CPU(s), ${plan.memoryMiB} MiB\n`, 'console'));
    } catch (e) {
      if (e instanceof LaunchError) this.reportAssemblyErrors(args?.program, e);
      const id = e instanceof LaunchError ? 3001 : 3999;
      return this.fail(response, e instanceof LaunchError ? e : new Error(`internal error while launching: ${e instanceof Error ? e.message : String(e)}`), id);
    }
    await this.afterLaunch(response);
  }

  private reportAssemblyErrors(program: unknown, e: LaunchError): void {
    if (!e.diagnostics.length) return;
    this.sendEvent(new Event('x86Trampoline.assemblyErrors', {
      program,
      diagnostics: e.diagnostics.map((d) => ({
        file: d.origin.range.file,
        line: d.origin.range.line + 1,
        column: d.origin.range.column + 1,
        endLine: d.origin.range.endLine + 1,
        endColumn: d.origin.range.endColumn + 1,
        severity: d.severity,
        message: d.message,
        code: d.code,
      })),
    }));
  }

  private async afterLaunch(response: DebugProtocol.LaunchResponse): Promise<void> {
    // Breakpoints a client set before launching are bound now.
    for (const bp of this.runtime.sourceBreakpoints()) this.sendEvent(new BreakpointEvent('changed', this.toDapBreakpoint(bp)));
    this.sendEvent(new InitializedEvent());
    await Promise.race([this.configured, new Promise((r) => setTimeout(r, 2000))]);
    this.sendResponse(response);
    this.runtime.begin();
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configurationDone();
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    try {
      this.invalidateVariables();
      this.timelineSent = 0;
      const fresh = args?.arguments && 'program' in args.arguments ? (args.arguments as LaunchRequestArguments) : undefined;
      this.runtime.restart(fresh);
      this.sendResponse(response);
    } catch (e) {
      if (e instanceof LaunchError) this.reportAssemblyErrors(args?.arguments && 'program' in args.arguments ? args.arguments.program : undefined, e);
      this.fail(response, e, e instanceof LaunchError ? 3001 : 2001);
    }
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.runtime.terminate();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.runtime.terminate();
    this.sendResponse(response);
    this.shutdown();
  }

  // ---- breakpoints -----------------------------------------------------------------------------------------------

  private toDapBreakpoint(bp: UserBreakpoint): DebugProtocol.Breakpoint {
    const b = new Breakpoint(bp.verified) as DebugProtocol.Breakpoint;
    b.id = bp.id;
    if (bp.message) b.message = bp.message;
    if (bp.file !== undefined && bp.line !== undefined) {
      b.source = new Source(basename(bp.file), this.convertDebuggerPathToClient(bp.file));
      b.line = this.convertDebuggerLineToClient(bp.line);
    }
    if (bp.addresses.length) b.instructionReference = `0x${bp.addresses[0].toString(16)}`;
    return b;
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.guard(response, () => {
      const path = args.source && typeof args.source === 'object' ? args.source.path : undefined;
      if (typeof path !== 'string' || !path) throw new Error('setBreakpoints needs a source with a path');
      if (args.breakpoints !== undefined && !Array.isArray(args.breakpoints)) throw new Error("'breakpoints' must be a list");
      const file = resolve(this.convertClientPathToDebugger(path));
      const bps = this.runtime.setSourceBreakpoints(file, (args.breakpoints ?? []).map((b) => ({ line: this.convertClientLineToDebugger(b.line), condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage })));
      response.body = { breakpoints: bps.map((b) => this.toDapBreakpoint(b)) };
      this.sendResponse(response);
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.guard(response, () => {
      const bps = this.runtime.setFunctionBreakpoints(list(args.breakpoints, 'breakpoints').filter((b) => typeof b?.name === 'string'));
      response.body = { breakpoints: bps.map((b) => this.toDapBreakpoint(b)) };
      this.sendResponse(response);
    });
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    this.guard(response, () => {
      const bps = this.runtime.setInstructionBreakpoints(list(args.breakpoints, 'breakpoints').map((b) => ({ ...b, instructionReference: String(b?.instructionReference) })));
      response.body = { breakpoints: bps.map((b) => this.toDapBreakpoint(b)) };
      this.sendResponse(response);
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.guard(response, () => {
      const ids = [...list(args.filters, 'filters').map(String)];
      const conditions: Record<string, string | undefined> = {};
      for (const o of list(args.filterOptions, 'filterOptions')) {
        ids.push(o.filterId);
        conditions[o.filterId] = o.condition;
      }
      const results = this.runtime.setExceptionFilters(ids, conditions);
      response.body = { breakpoints: results.map((r) => ({ verified: r.verified, message: r.message })) };
      this.sendResponse(response);
    });
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    this.guard(response, () => {
      if (typeof args.name !== 'string') throw new Error("dataBreakpointInfo needs a 'name'");
      let expression = args.name;
      if (args.variablesReference !== undefined) {
        const node = this.variables.get(args.variablesReference)?.().find((n) => n.name === args.name);
        if (node?.memoryReference) expression = node.memoryReference;
        else if (node?.evaluateName) expression = node.evaluateName;
      }
      response.body = this.runtime.dataBreakpointInfo(expression);
      this.sendResponse(response);
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.guard(response, () => {
      response.body = { breakpoints: this.runtime.setDataBreakpoints(list(args.breakpoints, 'breakpoints').map((b) => ({ ...b, dataId: String(b?.dataId) }))) };
      this.sendResponse(response);
    });
  }

  // ---- execution -------------------------------------------------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: this.runtime.threads().map((t) => new Thread(t.id, t.name)) };
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.guard(response, () => {
      this.runtime.requireInspectable();
      if (this.runtime.state !== 'stopped') throw new Error(`cannot continue: the program is ${this.runtime.state}`);
      response.body = { allThreadsContinued: true };
      this.sendResponse(response);
      void this.guardAsync(() => this.runtime.continue());
    });
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.guard(response, () => {
      if (this.runtime.state === 'idle') throw new Error('nothing to pause: no program is running');
      this.runtime.pause();
      this.sendResponse(response);
    });
  }

  private stepRequest(response: DebugProtocol.Response, threadId: number, kind: 'in' | 'over' | 'out', granularity?: DebugProtocol.SteppingGranularity): void {
    this.guard(response, () => {
      const cpu = this.cpuOfThread(threadId);
      if (this.runtime.state !== 'stopped') throw new Error(`cannot step: the program is ${this.runtime.state}`);
      this.sendResponse(response);
      void this.guardAsync(() => this.runtime.step(cpu, kind, granularity === 'instruction' ? 'instruction' : 'line'));
    });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.stepRequest(response, args.threadId, 'over', args.granularity);
  }
  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.stepRequest(response, args.threadId, 'in', args.granularity);
  }
  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.stepRequest(response, args.threadId, 'out', args.granularity);
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    this.respondThen(response, () => {
      const cpu = this.cpuOfThread(args.threadId);
      if (this.runtime.state !== 'stopped') throw new Error(`cannot step back: the program is ${this.runtime.state}`);
      this.runtime.stepBack(cpu, args.granularity === 'instruction' ? 'instruction' : 'line');
    });
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse, args: DebugProtocol.ReverseContinueArguments): void {
    this.respondThen(response, () => {
      const cpu = this.cpuOfThread(args.threadId);
      if (this.runtime.state !== 'stopped') throw new Error(`cannot run backwards: the program is ${this.runtime.state}`);
      this.runtime.reverseContinue(cpu);
    });
  }

  protected override gotoTargetsRequest(response: DebugProtocol.GotoTargetsResponse, args: DebugProtocol.GotoTargetsArguments): void {
    this.guard(response, () => {
      const path = args.source && typeof args.source === 'object' ? args.source.path : undefined;
      if (typeof path !== 'string' || typeof args.line !== 'number') throw new Error('gotoTargets needs a source path and a line');
      const file = resolve(this.convertClientPathToDebugger(path));
      const line = this.convertClientLineToDebugger(args.line);
      const targets = this.runtime.gotoTargets(file, line);
      if (!targets.length) throw new Error(`line ${args.line} has no instructions to jump to`);
      response.body = { targets: targets.map((a) => ({ id: a, label: `0x${a.toString(16)}`, line: args.line, instructionPointerReference: `0x${a.toString(16)}` })) };
      this.sendResponse(response);
    });
  }

  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    this.respondThen(response, () => {
      const cpu = this.cpuOfThread(args.threadId);
      if (typeof args.targetId !== 'number' || !Number.isSafeInteger(args.targetId) || args.targetId < 0) throw new Error(`goto target ${JSON.stringify(args.targetId)} is not one of the gotoTargets ids`);
      this.runtime.goto(cpu, args.targetId);
    });
  }

  // ---- inspection ------------------------------------------------------------------------------------------------

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.guard(response, () => {
      const cpu = this.cpuOfThread(args.threadId);
      const frames = this.runtime.stackFrames(cpu);
      const start = args.startFrame ?? 0;
      const count = args.levels && args.levels > 0 ? args.levels : frames.length;
      const out = frames.slice(start, start + count).map((f, i) => {
        const sf = new StackFrame(cpu * FRAME_STRIDE + start + i + 1, f.name) as DebugProtocol.StackFrame;
        if (f.file !== undefined && f.line !== undefined) {
          sf.source = new Source(basename(f.file), this.convertDebuggerPathToClient(f.file));
          sf.line = this.convertDebuggerLineToClient(f.line);
          sf.column = this.convertDebuggerColumnToClient(f.column ?? 0);
        } else {
          sf.line = 0;
          sf.column = 0;
        }
        sf.instructionPointerReference = `0x${f.linear.toString(16)}`;
        if (f.kind === 'macro') sf.presentationHint = 'label';
        return sf;
      });
      response.body = { stackFrames: out, totalFrames: frames.length };
      this.sendResponse(response);
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.guard(response, () => {
      const cpu = Math.floor((args.frameId - 1) / FRAME_STRIDE);
      if (!Number.isInteger(cpu) || cpu < 0 || cpu >= (this.runtime.machine?.cpus.length ?? 0)) throw new Error(`unknown stack frame ${args.frameId}`);
      const scopes = scopesFor(this.runtime, cpu).map((s) => {
        const sc = new Scope(s.name, this.reference(s.children), s.expensive) as DebugProtocol.Scope;
        if (s.name === 'General' || s.name === 'Control registers') sc.presentationHint = 'registers';
        return sc;
      });
      response.body = { scopes };
      this.sendResponse(response);
    });
  }

  private reference(children: () => VarNode[]): number {
    const id = this.nextVariableRef++;
    this.variables.set(id, children);
    return id;
  }

  private toVariable(n: VarNode): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = { name: n.name, value: n.value, variablesReference: n.children ? this.reference(n.children) : 0 };
    if (n.type) v.type = n.type;
    if (n.memoryReference) v.memoryReference = n.memoryReference;
    if (n.evaluateName) v.evaluateName = n.evaluateName;
    if (!n.set) v.presentationHint = { attributes: ['readOnly'] };
    return v;
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    this.guard(response, () => {
      const children = this.variables.get(args.variablesReference);
      if (!children) {
        // VS Code's Variables view can race a continue; an expired reference is not the user's mistake, so no toast.
        this.sendErrorResponse(response, { id: 2002, format: `variables reference ${args.variablesReference} is no longer valid (the program ran since it was handed out)`, showUser: false });
        return;
      }
      this.runtime.requireInspectable();
      let nodes = children();
      if (args.start !== undefined || args.count !== undefined) nodes = nodes.slice(args.start ?? 0, (args.start ?? 0) + (args.count || nodes.length));
      response.body = { variables: nodes.map((n) => this.toVariable(n)) };
      this.sendResponse(response);
    });
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    this.guard(response, () => {
      const children = this.variables.get(args.variablesReference);
      if (!children) throw new Error(`variables reference ${args.variablesReference} is no longer valid`);
      if (this.runtime.state !== 'stopped') throw new Error('the machine is running; pause it first');
      if (typeof args.value !== 'string') throw new Error("setVariable needs a 'value'");
      const node = children().find((n) => n.name === args.name);
      if (!node) throw new Error(`no variable '${args.name}' here`);
      if (!node.set) throw new Error(`'${args.name}' is read-only`);
      const value = node.set(args.value);
      this.runtime.edited();
      const fresh = children().find((n) => n.name === args.name);
      response.body = { value, variablesReference: fresh?.children ? this.reference(fresh.children) : 0 };
      this.sendResponse(response);
      this.sendEvent(new Event('invalidated', { areas: ['variables'] }));
    });
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    this.guard(response, () => {
      if (typeof args.expression !== 'string') throw new Error('evaluate needs an expression');
      const cpu = args.frameId !== undefined ? Math.floor((args.frameId - 1) / FRAME_STRIDE) : this.runtime.focusCpu;
      if (!Number.isInteger(cpu) || cpu < 0 || cpu >= (this.runtime.machine?.cpus.length ?? 0)) throw new Error(this.runtime.machine ? `unknown stack frame ${args.frameId}` : 'no program is running (launch first)');
      this.runtime.requireInspectable();
      if (args.context === 'repl' || args.context === undefined) {
        const out = runConsoleCommand(args.expression, this.runtime, cpu);
        if (out !== undefined) {
          response.body = { result: out, variablesReference: 0 };
          return this.sendResponse(response);
        }
      }
      const r = evaluateExpression(args.expression, this.runtime.evalContext(cpu));
      response.body = { result: formatResult(r), variablesReference: 0 };
      const bits = resultChildren(r);
      if (bits) response.body.variablesReference = this.reference(bits);
      if (r.address !== undefined) response.body.memoryReference = `0x${r.address.toString(16)}`;
      else if (r.register && /^(r|e)?(ip|sp|bp|si|di)$|^r?[a-d]x$|^cr[23]$/.test(r.register)) response.body.memoryReference = `0x${r.value.toString(16)}`;
      if (r.width) response.body.type = `${r.width}-bit`;
      this.sendResponse(response);
    });
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    if (typeof args.text !== 'string') return this.fail(response, new Error("completions needs 'text'"));
    const column = typeof args.column === 'number' ? args.column : args.text.length + 1;
    const prefix = args.text.slice(0, Math.max(0, column - 1)).toLowerCase();
    const items = consoleCompletions(prefix, this.runtime.program?.symbols.map((x) => x.name) ?? []);
    response.body = { targets: items.map((label) => ({ label, text: label, start: 0, length: prefix.length })) };
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    this.guard(response, () => {
      const s = this.lastStop;
      if (!s || !s.exception || s.cpu + 1 !== args.threadId) throw new Error('this thread did not stop on an exception filter');
      response.body = {
        exceptionId: s.exception.filterId,
        description: s.exception.description,
        breakMode: 'always',
        details: { message: s.exception.details, typeName: s.exception.event?.kind },
      };
      this.sendResponse(response);
    });
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    this.guard(response, () => {
      const m = this.runtime.requireInspectable();
      const base = parseNumber(args.memoryReference);
      if (base === undefined) throw new Error(`memory reference '${args.memoryReference}' is not an address`);
      if (typeof args.instructionCount !== 'number' || !(args.instructionCount >= 0)) throw new Error("disassemble needs an 'instructionCount'");
      const at = Number(base) + (Number(args.offset) || 0);
      const lines = disassembleAt(this.runtime.program, m.cpus[this.runtime.focusCpu], at, Math.trunc(Number(args.instructionOffset) || 0), Math.min(Math.trunc(args.instructionCount), 4096));
      response.body = {
        instructions: lines.map((d) => {
          const i: DebugProtocol.DisassembledInstruction = { address: d.address, instruction: d.instruction, instructionBytes: d.instructionBytes };
          if (d.symbol) i.symbol = d.symbol;
          if (d.presentationHint) i.presentationHint = d.presentationHint;
          if (d.file !== undefined && d.line !== undefined) {
            i.location = new Source(basename(d.file), this.convertDebuggerPathToClient(d.file));
            i.line = this.convertDebuggerLineToClient(d.line);
          }
          return i;
        }),
      };
      this.sendResponse(response);
    });
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    this.guard(response, () => {
      const base = parseNumber(args.memoryReference);
      if (base === undefined) throw new Error(`memory reference '${args.memoryReference}' is not an address`);
      const start = base + BigInt(Math.trunc(Number(args.offset) || 0));
      const count = Math.max(0, Math.min(Math.trunc(Number(args.count) || 0), 1 << 20));
      const { data, unreadable } = this.runtime.readMemory(start, count);
      response.body = { address: `0x${start.toString(16)}`, data: Buffer.from(data).toString('base64'), unreadableBytes: unreadable };
      this.sendResponse(response);
    });
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    this.guard(response, () => {
      const base = parseNumber(args.memoryReference);
      if (base === undefined) throw new Error(`memory reference '${args.memoryReference}' is not an address`);
      const start = base + BigInt(Math.trunc(Number(args.offset) || 0));
      if (typeof args.data !== 'string') throw new Error("writeMemory needs base64 'data'");
      const done = this.runtime.writeMemory(start, Buffer.from(args.data, 'base64'));
      response.body = { bytesWritten: done };
      this.sendResponse(response);
      this.sendEvent(new Event('invalidated', { areas: ['variables'] }));
    });
  }

  protected override loadedSourcesRequest(response: DebugProtocol.LoadedSourcesResponse): void {
    const files = this.runtime.program?.files ?? [];
    response.body = { sources: files.map((f) => new Source(basename(f), this.convertDebuggerPathToClient(f))) };
    this.sendResponse(response);
  }

  // ---- custom requests for the extension ---------------------------------------------------------------------------

  protected override customRequest(command: string, response: DebugProtocol.Response, args: Record<string, unknown> | undefined): void {
    this.guard(response, () => {
      const threadCpu = (): number => (args && typeof args.threadId === 'number' ? this.cpuOfThread(args.threadId) : this.runtime.focusCpu);
      switch (command) {
        case 'x86Trampoline.modeTimeline':
          response.body = { entries: this.runtime.timeline };
          break;
        case 'x86Trampoline.status':
          response.body = this.runtime.status(threadCpu()) ?? { state: 'idle' };
          break;
        case 'x86Trampoline.pageTables':
          response.body = this.runtime.pageTables(threadCpu());
          break;
        case 'x86Trampoline.translate': {
          const a = parseNumber(args?.address);
          if (a === undefined) throw new Error(`'address' must be a number such as 0x9000 (got ${JSON.stringify(args?.address)})`);
          response.body = this.runtime.translateRequest(threadCpu(), a);
          break;
        }
        case 'x86Trampoline.runBackTo': {
          const p = typeof args?.position === 'number' ? args.position : NaN;
          if (!Number.isInteger(p)) throw new Error("'position' must be an execution position from the mode timeline");
          response.body = {};
          return this.respondThen(response, () => this.runtime.runBackTo(p));
        }
        default:
          throw new Error(`unknown request '${command}'`);
      }
      this.sendResponse(response);
    });
  }
}
