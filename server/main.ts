// Language server process entry: the connection lives here (IPC from the extension, or `--stdio`); features are
// in server/*.ts over gas/ and isa/.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);
// A bug in one request must not take the editor's language features down with it.
process.on('uncaughtException', (e) => connection.console.error(`uncaught: ${e instanceof Error ? e.stack : String(e)}`));
process.on('unhandledRejection', (e) => connection.console.error(`unhandled rejection: ${e instanceof Error ? e.stack : String(e)}`));
startServer(connection);
