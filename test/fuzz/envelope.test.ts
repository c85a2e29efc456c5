/**
 * Fuzzing the envelope itself over HTTP: unknown and prototype action names, trigger names,
 * forged timer events from clients, bodies that are not JSON or not objects, oversized and deeply
 * nested bodies, and function paths named after Object.prototype members. Every answer must be
 * the envelope with an error (never COMMON.INTERNAL, a 500, a reset connection, a stack, a path or
 * a secret) and no call here may write.
 */
import fc from 'fast-check';
import {
  FailureLog,
  FUNCTIONS,
  FUZZ_SEED,
  TIMERS,
  bodyText,
  post,
  problems,
  show,
  startFuzzCloud,
  type Answer,
  type FuzzCloud,
} from '../helpers/fuzz';

const PROTO = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
  'prototype',
];
const FNS = Object.keys(FUNCTIONS);
const TRIGGERS = [...new Set(TIMERS.map((t) => t.trigger))];

let fz: FuzzCloud;
beforeAll(async () => {
  // The functions and the local cloud log every fault in full; failures are collected and reported instead.
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  fz = await startFuzzCloud();
}, 180_000);
afterAll(async () => {
  await fz?.close();
});

/** Sends each case as each role, collecting every failure; mustRefuse: an ok answer is a failure too. */
async function sweep(
  cases: Array<{ label: string; path: string; text: string; contentType?: string; mayServe?: boolean }>,
  mustRefuse: boolean,
  check?: (a: Answer) => string[],
): Promise<string[]> {
  const log = new FailureLog();
  for (const c of cases) {
    for (const role of fz.roles) {
      const answer = await post(fz.cloud, c.path, c.text, role.openid, c.contentType);
      const found = [...problems(answer, { mustRefuse: mustRefuse && !c.mayServe }), ...(check?.(answer) ?? [])];
      log.addAll(
        found,
        c.label,
        role.name,
        `POST ${c.path} ${show(c.text, 160)} → ${answer.status} ${show(answer.json ?? answer.text, 200)}`,
      );
    }
  }
  return log.lines();
}

/** Like sweep, but calls done with the roles in turn (a case once, as the role its index picks). */
async function sweepRotating(
  cases: Array<{ label: string; path: string; text: string }>,
  mustRefuse: boolean,
): Promise<string[]> {
  const log = new FailureLog();
  for (const [i, c] of cases.entries()) {
    const role = fz.roles[i % fz.roles.length]!;
    const answer = await post(fz.cloud, c.path, c.text, role.openid);
    log.addAll(
      problems(answer, { mustRefuse }),
      c.label,
      role.name,
      `POST ${c.path} ${show(c.text, 160)} → ${answer.status} ${show(answer.json ?? answer.text, 200)}`,
    );
  }
  return log.lines();
}

function report(lines: string[]): void {
  if (lines.length) throw new Error(`${lines.length} failure class(es)\n  ${lines.join('\n  ')}`);
}

it('refuses unknown and prototype action names on every function', async () => {
  const names: unknown[] = [
    ...PROTO,
    '',
    'nope',
    ' user.me',
    'USER.ME',
    123,
    null,
    true,
    ['user.me'],
    { toString: 'user.me' },
  ];
  const cases = FNS.flatMap((fn) =>
    [...names, ...PROTO.map((p) => `${fn}.${p}`), `${fn}.`, `${FNS.find((f) => f !== fn)}.health`].map((action) => ({
      label: `action ${typeof action === 'string' && PROTO.some((p) => action.endsWith(p)) ? 'prototype name' : show(action, 40)}`,
      path: `/fn/${fn}`,
      text: bodyText({ action, payload: {}, requestId: 'fuzz-envelope-0001' }),
    })),
  );
  report(await sweepRotating(cases, true));
}, 300_000);

it('refuses an action of another function sent to the wrong function', async () => {
  const cases = FNS.map((fn) => {
    const other = FNS.find((f) => f !== fn)!;
    return {
      label: 'action of another function',
      path: `/fn/${fn}`,
      text: bodyText({ action: `${other}.me`, payload: {} }),
    };
  });
  report(await sweepRotating(cases, true));
}, 120_000);

it('never runs a timer for a client: forged Timer events and trigger names, as every role', async () => {
  const triggerNames = [...TRIGGERS, ...PROTO, '', 'nope'];
  const forged = fc.sample(
    fc.record(
      {
        Type: fc.constantFrom('Timer', 'timer', 'TIMER'),
        TriggerName: fc.constantFrom(...triggerNames),
        Time: fc.constantFrom('2026-12-01T00:00:00Z', undefined),
        Message: fc.constantFrom('', undefined, '{"force":true}'),
      },
      { requiredKeys: ['Type', 'TriggerName'] },
    ),
    { seed: FUZZ_SEED, numRuns: 40 },
  );
  const cases = [
    // Every real trigger on every function, exactly as CloudBase would shape it.
    ...FNS.flatMap((fn) =>
      TRIGGERS.map((t) => ({
        label: `real trigger ${t}`,
        path: `/fn/${fn}`,
        text: bodyText({ Type: 'Timer', TriggerName: t, Time: '2026-12-01T00:00:00Z', Message: '' }),
      })),
    ),
    // Every trigger name (real ones of other functions and prototype names) on every function.
    ...FNS.flatMap((fn) =>
      triggerNames.map((t) => ({
        label: `forged timer TriggerName ${PROTO.includes(t) ? 'prototype name' : t || '(empty)'}`,
        path: `/fn/${fn}`,
        text: bodyText({ Type: 'Timer', TriggerName: t }),
      })),
    ),
    ...forged.map((event, i) => ({
      label: `forged timer TriggerName ${PROTO.includes(event.TriggerName) ? 'prototype name' : event.TriggerName || '(empty)'}`,
      path: `/fn/${FNS[i % FNS.length]}`,
      text: bodyText(event),
    })),
  ];
  const lines = await sweep(cases, true, (a) =>
    a.json?.ok === true || (a.json?.ok === false && typeof a.json?.code === 'string')
      ? []
      : ['forged timer was not answered with an error code'],
  );
  // Timer fields beside a real action: the action may be served, the timer must never run.
  const mixed = TIMERS.map((t) => ({
    label: `timer fields beside an action (${t.trigger})`,
    path: `/fn/${t.fn}`,
    text: bodyText({ Type: 'Timer', TriggerName: t.trigger, action: `${t.fn}.__none__`, payload: {} }),
  }));
  lines.push(...(await sweep(mixed, true)));
  report(lines);
}, 300_000);

it('answers bodies that are not JSON objects with an error envelope', async () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  const deepObj = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  // [class, body, serves a real action (an ok answer is then right, but only the action's)]
  const texts: Array<[string, string, boolean?]> = [
    ['not JSON', '{not json'],
    ['not JSON', '{"action":"user.me",'],
    ['not JSON', '\u0000\u0001\u0002'],
    ['not JSON', 'NaN'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1')],
    ['JSON null', 'null'],
    ['JSON scalar', '42'],
    ['JSON scalar', '"user.me"'],
    ['JSON scalar', 'true'],
    ['array body', '[]'],
    ['array body', '[{"action":"user.me","payload":{}}]'],
    ['array body', '[{"Type":"Timer","TriggerName":"autoConfirm"}]'],
    ['prototype keys in body', '{"__proto__":{"action":"user.me"},"payload":{}}'],
    ['prototype keys in body', '{"constructor":{"prototype":{"action":"user.me"}}}'],
    ['prototype keys in body', '{"action":"user.me","__proto__":{"Type":"Timer","TriggerName":"autoConfirm"}}', true],
    ['deep nesting 5000', deep(5000)],
    ['deep nesting 5000', `{"action":"user.me","payload":${deepObj(5000)}}`, true],
    ['deep nesting 100000', `{"action":"user.me","payload":${deep(100_000)}}`],
  ];
  const cases = FNS.flatMap((fn, i) =>
    texts
      .filter((_, k) => k % FNS.length === i % FNS.length || k < 6)
      .map(([label, text, mayServe]) => ({ label, path: `/fn/${fn}`, text, mayServe: mayServe && fn === 'user' })),
  );
  // Unless it names a real action of that function, none of these is a call: each must be refused.
  report(
    await sweep(cases, true, (a) =>
      a.json?.ok === true && a.json?.data?.openid === undefined
        ? ['answered ok with something other than the action']
        : [],
    ),
  );
}, 300_000);

it('answers an oversized body with 413 and the envelope, never a reset connection', async () => {
  const text = JSON.stringify({ action: 'user.me', payload: { note: 'x'.repeat(2.5 * 1024 * 1024) } });
  const log = new FailureLog();
  for (const role of fz.roles) {
    const answer = await post(fz.cloud, '/fn/user', text, role.openid);
    const found = problems(answer, { mustRefuse: true });
    if (answer.status !== 413 && !answer.transportError) found.push(`status ${answer.status}, not 413`);
    log.addAll(found, 'body over 2 MB', role.name, `→ ${answer.status} ${show(answer.json ?? answer.text)}`);
  }
  report(log.lines());
}, 120_000);

it('answers function paths named after Object.prototype members with 404, never 500', async () => {
  const paths = [...PROTO, 'Object', 'user.me', 'USER', 'user/', '..%2Fuser', '%5F%5Fproto%5F%5F'].map((p) => ({
    label: `path /fn/${p}`,
    path: `/fn/${p}`,
    text: bodyText({ action: 'system.health', payload: {} }),
  }));
  report(
    await sweep(paths, true, (a) =>
      a.status === 404 || a.status === 400 || a.status >= 500 ? [] : [`status ${a.status}, not 404`],
    ),
  );
}, 120_000);
