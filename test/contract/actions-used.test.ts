/**
 * Every action of the contract has a way in from the app (issue 12: "no action without a page"):
 * the `Actions` interface of typings/api.ts is read with the TypeScript checker (every domain it
 * extends), and each action must be named by the mini-program — a page, a component or the service
 * layer — unless it is on the short allow-list below, each entry with the reason nothing on a page
 * calls it (only a timer, another function or an operator does).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import type { ActionName } from '../../typings/api';

const ROOT = resolve(__dirname, '../..');

/** Actions no page calls, and why. An entry for an action a page does call is stale and fails the test. */
const NOT_FROM_PAGES: Partial<Record<ActionName, string>> = {};

/** The action names of the `Actions` contract, as the compiler sees them. */
function contractActions(): string[] {
  const file = join(ROOT, 'typings/api.ts');
  const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  let names: string[] = [];
  if (source)
    ts.forEachChild(source, (node) => {
      if (ts.isInterfaceDeclaration(node) && node.name.text === 'Actions')
        names = checker.getPropertiesOfType(checker.getTypeAtLocation(node)).map((p) => p.getName());
    });
  return names;
}

/** The mini-program's own code (TDesign and generated copies left out), comments stripped. */
function appCode(): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'miniprogram_npm' || name === 'node_modules' || name === 'generated') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|js|wxml)$/.test(name)) out.push(readFileSync(path, 'utf8'));
    }
  };
  walk(join(ROOT, 'miniprogram'));
  return out
    .join('\n')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('the Actions contract against the app', () => {
  const actions = contractActions();
  const code = appCode();
  const named = (a: string) => code.includes(`'${a}'`) || code.includes(`"${a}"`) || code.includes(`\`${a}\``);

  it('reads every action of the contract', () => {
    expect(actions.length).toBeGreaterThan(100);
    expect(actions).toEqual(expect.arrayContaining(['user.me', 'order.place', 'dispatch.run', 'testing.record']));
  });

  it('has a page or service calling every action (or an allow-list entry saying why not)', () => {
    const orphans = actions.filter((a) => !named(a) && !(a in NOT_FROM_PAGES));
    expect(orphans).toEqual([]);
  });

  it('keeps the allow-list short, each with its reason, and none of them called from a page', () => {
    const entries = Object.entries(NOT_FROM_PAGES);
    expect(entries.length).toBeLessThanOrEqual(8);
    for (const [action, reason] of entries) {
      expect({ action, known: actions.includes(action), called: named(action) }).toEqual({
        action,
        known: true,
        called: false,
      });
      expect(reason.length).toBeGreaterThan(10);
    }
  });
});
