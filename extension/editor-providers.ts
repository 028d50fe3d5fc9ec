// Debug hover and inline values for gas-x86: the expression under the mouse and the operands around the stop go
// to the adapter's evaluate (which decodes register bits); the parsing lives in logic/.
import * as vscode from 'vscode';
import { hoverExpressionAt, stripLine } from './logic/hover-expression';
import { inlineTargets } from './logic/inline-values';
import { LANGUAGE_ID } from './logic/protocol-types';

/** Lines above a position that can still hold an open block comment. */
const COMMENT_CONTEXT = 200;

class EvaluatableExpressions implements vscode.EvaluatableExpressionProvider {
  provideEvaluatableExpression(document: vscode.TextDocument, position: vscode.Position): vscode.ProviderResult<vscode.EvaluatableExpression> {
    const line = document.lineAt(position.line).text;
    const before: string[] = [];
    for (let l = Math.max(0, position.line - COMMENT_CONTEXT); l < position.line; l++) before.push(document.lineAt(l).text);
    const found = hoverExpressionAt(line, stripLine(before, line), position.character);
    if (!found) return undefined;
    return new vscode.EvaluatableExpression(new vscode.Range(position.line, found.start, position.line, found.end), found.expression);
  }
}

class InlineValues implements vscode.InlineValuesProvider {
  provideInlineValues(document: vscode.TextDocument, viewPort: vscode.Range, context: vscode.InlineValueContext): vscode.ProviderResult<vscode.InlineValue[]> {
    const stopped = context.stoppedLocation.end.line;
    const first = Math.max(0, Math.min(viewPort.start.line, stopped) - COMMENT_CONTEXT);
    const lines: string[] = [];
    for (let l = first; l <= stopped && l < document.lineCount; l++) lines.push(document.lineAt(l).text);
    return inlineTargets(lines, stopped - first, viewPort.start.line - first, viewPort.end.line - first).map(
      (t) => new vscode.InlineValueEvaluatableExpression(new vscode.Range(t.line + first, t.start, t.line + first, t.end), t.expression),
    );
  }
}

export function registerEditorProviders(context: vscode.ExtensionContext): void {
  const selector: vscode.DocumentSelector = { language: LANGUAGE_ID };
  context.subscriptions.push(
    vscode.languages.registerEvaluatableExpressionProvider(selector, new EvaluatableExpressions()),
    vscode.languages.registerInlineValuesProvider(selector, new InlineValues()),
  );
}
