/**
 * Property-based fuzzing of every action, as every role, over the local cloud's HTTP API.
 * Inputs come from each action's own input schema (so a new action is fuzzed automatically),
 * mutated into wrong types, prototype names, control characters, huge and deep values, impossible
 * dates, bad numbers and other households' ids. Every answer must be the envelope, never
 * COMMON.INTERNAL or a 500, never a stack, a path or a secret, and a refused call writes nothing.
 * Failures are collected per action and reported together, deduplicated by class.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import ts from 'typescript';
import {
  FailureLog,
  FUZZ_SEED,
  bodyText,
  payloadCases,
  plausible,
  post,
  problems,
  servedActions,
  show,
  startFuzzCloud,
  systematicCases,
  type Case,
  type FuzzCloud,
  type Role,
} from '../helpers/fuzz';

/** Runs per action and role refused by role (three times as many for roles the action serves): FUZZ_RUNS=20 for a deeper local run. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 4);
const actions = servedActions();

/**
 * Actions whose check is itself one conditional write that changes nothing when it fails, with why.
 * A refusal of these may send that one write request (to that collection) and nothing else; any
 * other write of a refused call, or any change, still fails.
 */
const PROBE_WRITES: Record<string, { collection: string; why: string }> = {
  'dispatch.deliver': {
    collection: 'jobs',
    why: 'a door is settled by one conditional update on the job that checks holder, state, code and tries (no read first: issue 16, ≤ 12 requests per order); when it matches nothing the read path explains the refusal',
  },
};

function hash(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return Math.abs(h);
}

/** Action names of the contract (typings/api.ts `interface Actions`), read from its syntax tree. */
function contractActions(): string[] {
  const file = resolve(__dirname, '../../typings/api.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const names: string[] = [];
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'Actions') {
      for (const m of node.members)
        if (m.name && (ts.isStringLiteral(m.name) || ts.isIdentifier(m.name))) names.push(m.name.text);
    }
  });
  return names;
}

let fz: FuzzCloud;
/** Roles each action answered ok (FUZZ_COVERAGE=<file> writes it, to see what the inputs reach). */
const coverage = new Map<string, string[]>();
beforeAll(async () => {
  // The functions log every fault in full; the failures are collected and reported below instead.
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  fz = await startFuzzCloud();
}, 180_000);
afterAll(async () => {
  if (process.env.FUZZ_COVERAGE) {
    const rows = actions.map(({ action }) => [action, [...new Set(coverage.get(action) ?? [])]]);
    writeFileSync(process.env.FUZZ_COVERAGE, JSON.stringify(Object.fromEntries(rows), null, 1));
  }
  await fz?.close();
});

it('fuzzes every action the contract declares (derived from the functions, not a list)', () => {
  const served = actions.map((a) => a.action).sort();
  expect(served.length).toBeGreaterThan(50);
  expect(served).toEqual(expect.arrayContaining(contractActions()));
});

describe.each(actions.map((a) => [a.action, a] as const))('%s', (action, { fn, input }) => {
  it('answers generated bad input from every role without INTERNAL, 500, stack, path, secret or a write when refused', async () => {
    // Every action starts from the seeded state, so what one action's fuzzing changed (a volunteer who
    // left, a round closed) never hides another action's paths.
    fz.reset();
    const log = new FailureLog();
    let n = 0;
    const send = async (role: Role, c: Case) => {
      n += 1;
      const body: Record<string, unknown> = { action, payload: c.payload };
      if (n % 2) body.requestId = `fuzz-${hash(action).toString(36)}-${n}`;
      const answer = await post(fz.cloud, `/fn/${fn}`, bodyText(body), role.openid);
      if (answer.json?.ok === true) coverage.set(action, [...(coverage.get(action) ?? []), role.name]);
      log.addAll(
        problems(answer, {
          dateField: c.dateField,
          danglingRef: c.danglingRef,
          probeWrite: PROBE_WRITES[action]?.collection,
        }),
        c.label,
        role.name,
        `${show(c.payload)} → ${answer.status} ${show(answer.json ?? answer.text, 160)}`,
      );
      return answer;
    };
    for (const [r, role] of fz.roles.entries()) {
      const seed = FUZZ_SEED ^ hash(`${action}/${role.name}`);
      // A probe with well-formed input: roles the action turns away by role get a few runs, the others many.
      const own = { ...fz.ids, ...role.own };
      const arb = payloadCases(input, own, fz.ids);
      const probes = fc
        .sample(plausible(input, '', own), { seed, numRuns: 2 })
        .map((payload) => ({ label: 'valid-ish', payload }));
      let allowed = false;
      for (const probe of probes) {
        const answer = await send(role, probe);
        if (answer.json?.ok === true || !String(answer.json?.code ?? '').startsWith('AUTH.')) allowed = true;
      }
      const cases = fc.sample(arb, { seed: seed + r, numRuns: allowed ? RUNS * 3 : RUNS });
      if (allowed) cases.push(...systematicCases(input, own, seed));
      for (const c of cases) await send(role, c);
    }
    if (log.size) throw new Error(`${action}: ${log.size} failure class(es)\n  ${log.lines().join('\n  ')}`);
  }, 300_000);
});
