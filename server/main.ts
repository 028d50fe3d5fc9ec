// Language server process entry: the connection lives here; features are in server/*.ts over gas/ and isa/.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
