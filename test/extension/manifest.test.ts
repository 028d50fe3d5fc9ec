// The extension's manifest contributions against its code: every command the code registers is declared (and
// every declared command registered), views and menus name real views and commands, walkthrough media ship.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
const sources = readdirSync(join(REPO, 'extension')).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(join(REPO, 'extension', f), 'utf8')).join('\n');
const constants = new Map<string, string>();
for (const m of sources.matchAll(/(\w+): '(x86Trampoline\.[\w.]+)'/g)) constants.set(m[1], m[2]);

function registeredCommands(): Set<string> {
  const out = new Set<string>();
  for (const m of sources.matchAll(/registerCommand\(([^,]+),/g)) {
    const arg = m[1].trim();
    const literal = /^'([^']+)'$/.exec(arg);
    if (literal) out.add(literal[1]);
    else {
      const key = arg.split('.').pop()!;
      const v = constants.get(key);
      assert.ok(v, `cannot resolve command constant ${arg}`);
      out.add(v!);
    }
  }
  return out;
}

test('commands: registered in code ⇔ declared in contributes.commands', () => {
  const declared = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));
  const registered = registeredCommands();
  assert.ok(registered.size >= 12, [...registered].join(', '));
  for (const c of registered) assert.ok(declared.has(c), `${c} is registered but not declared`);
  // Declared commands are registered, or are the views' own focus commands.
  for (const c of declared) assert.ok(registered.has(c), `${c} is declared but never registered`);
  for (const c of pkg.contributes.commands) assert.equal(c.category, 'x86 Trampoline', c.command);
  // The e2e test runs this one by its palette title.
  assert.ok(pkg.contributes.commands.some((c: { command: string; title: string }) => c.command === 'x86Trampoline.openPageTableMap' && c.title === 'Open Page-Table Map'));
});

test('menus and views point at declared commands and views; views live in Run and Debug', () => {
  const declared = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));
  for (const [menu, items] of Object.entries(pkg.contributes.menus as Record<string, { command: string }[]>)) {
    for (const i of items) assert.ok(declared.has(i.command), `${menu}: ${i.command}`);
  }
  const views = pkg.contributes.views.debug.map((v: { id: string }) => v.id);
  assert.deepEqual(views.sort(), ['x86Trampoline.controlRegisters', 'x86Trampoline.modeTimeline']);
  for (const id of views) assert.ok(sources.includes(`'${id}'`), `view ${id} has a provider`);
});

test('walkthrough: five steps with existing media, completion events, and media shipped in the .vsix', () => {
  const w = pkg.contributes.walkthroughs[0];
  assert.equal(w.steps.length, 5);
  for (const s of w.steps) {
    assert.ok(existsSync(join(REPO, s.media.markdown)), s.media.markdown);
    assert.ok(s.completionEvents.length > 0, s.id);
  }
  const ignore = readFileSync(join(REPO, '.vscodeignore'), 'utf8');
  assert.match(ignore, /^!media\/\*\*$/m);
  assert.match(ignore, /^!examples\/ap-trampoline\/trampoline\.S$/m);
});

test('workspace trust: limited support, with a description', () => {
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.ok(pkg.capabilities.untrustedWorkspaces.description.length > 40);
});
