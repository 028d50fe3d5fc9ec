// Translates DAP requests into calls on the runtime; no debugging logic lives here.
import { LoggingDebugSession, TerminatedEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';

export class TrampolineDebugSession extends LoggingDebugSession {
  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = { ...response.body, supportsConfigurationDoneRequest: true };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse): void {
    this.sendErrorResponse(response, { id: 1001, format: 'x86 Trampoline: the embedded machine is not available yet', showUser: true });
    this.sendEvent(new TerminatedEvent());
  }
}
