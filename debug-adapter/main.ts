// Debug adapter process entry: speaks DAP over stdin/stdout so any DAP client can use it.
import { TrampolineDebugSession } from './session';

TrampolineDebugSession.run(TrampolineDebugSession);
