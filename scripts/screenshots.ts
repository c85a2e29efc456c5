/// <reference lib="dom" />
/* eslint-disable @typescript-eslint/no-explicit-any -- page globals read inside the browser */
/**
 * `npm run screenshots`: every page, for each role that can open it, rendered in the browser
 * preview (headless Debian Chromium) against a fresh in-memory local cloud with the demo
 * community, demo orders and a testing round under way; PNGs of the phone go to `.screenshots/<role>/` (ignored), with
 * what went wrong on each page (console errors, failed calls) printed at the end.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { entriesFor } from '../miniprogram/utils/labels';
import type { Role } from '../miniprogram/generated/values';
import { hasChromium, CHROMIUM, Session, startRig } from '../test/browser/harness';

const OUT = resolve(__dirname, '../.screenshots');

const ROLES: Array<{ name: string; user: string; roles: Role[] }> = [
  { name: 'resident', user: 'dev-res-0001', roles: ['resident'] },
  { name: 'gridworker', user: 'dev-gw-01', roles: ['gridworker'] },
  { name: 'groupLeader', user: 'dev-gl-01', roles: ['groupLeader'] },
  { name: 'volunteer', user: 'dev-vol-001', roles: ['volunteer'] },
  { name: 'communityAdmin', user: 'dev-admin', roles: ['communityAdmin'] },
  { name: 'visitor', user: 'dev-visitor-preview', roles: [] },
];

async function main(): Promise<void> {
  if (!hasChromium) {
    console.error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set GRIDLINK_CHROMIUM).`);
    process.exit(1);
  }
  // `npm run screenshots -- --role gridworker,volunteer` renders only those roles (others' PNGs stay);
  // `--scroll` adds a PNG per screen below the first (`<page>-2.png` …).
  const flag = process.argv.indexOf('--role');
  const only = flag >= 0 ? new Set((process.argv[flag + 1] ?? '').split(',').filter(Boolean)) : null;
  const scroll = process.argv.includes('--scroll');
  const roles = only ? ROLES.filter((r) => only.has(r.name)) : ROLES;
  if (only && roles.length !== only.size) {
    console.error(`--role takes names from: ${ROLES.map((r) => r.name).join(', ')}`);
    process.exit(1);
  }
  if (only) for (const role of roles) rmSync(join(OUT, role.name), { recursive: true, force: true });
  else rmSync(OUT, { recursive: true, force: true });
  const started = Date.now();
  const rig = await startRig({ demoOrders: true });
  // A testing round under way too, so 未检名单, 检测结果, 采样登记 and 明日预约 show people, not empty states.
  const { demoTesting } = await import('../localcloud/seed/demo-activity');
  const { database } = await import('../server/lib/cloud');
  const testing = await demoTesting(database());
  if (!testing) console.error('demo testing round: not opened (the testing pages will be empty)');
  const report: string[] = [];
  let count = 0;
  try {
    for (const role of roles) {
      const dir = join(OUT, role.name);
      mkdirSync(dir, { recursive: true });
      const routes = [
        'pages/index/index',
        ...entriesFor(role.roles).map((e) => e.url.replace(/^\//, '')),
        'pages/dev/index',
      ];
      // A loaded machine may take longer than the harness waits for the first page: try again.
      let session: Session | null = null;
      for (let attempt = 0; attempt < 4 && !session; attempt += 1)
        session = await Session.open(rig, role.user).catch(() => null);
      if (!session) throw new Error(`could not open the preview as ${role.user}`);
      for (const route of [...new Set(routes)]) {
        const before = session.problems.length;
        if (route !== 'pages/index/index') {
          await session.page.evaluate((r) => (window as any).__gridlinkShell.navigate('reLaunch', `/${r}`), route);
        }
        let ms = -1;
        try {
          ms = await session.waitPage(route);
        } catch (error) {
          session.problems.push({ kind: 'pageerror', text: `did not render: ${String(error)}` });
        }
        await session.page.waitForTimeout(700); // data and images settle
        const file = join(
          dir,
          `${route
            .replace(/^pages\//, '')
            .replace(/\/index$/, '')
            .replace(/\//g, '-')}.png`,
        );
        await session.shot(file);
        count += 1;
        // The page's text (to search for ids and order) and, with --scroll, the screens below the first.
        writeFileSync(file.replace(/\.png$/, '.txt'), `${await session.text().catch(() => '')}\n`);
        for (let screen = 1; scroll && screen <= 4; screen += 1) {
          const moved = await session.page.evaluate((n) => {
            const f = document.querySelector('iframe.pv-frame--top') as HTMLIFrameElement | null;
            const w = f?.contentWindow;
            if (!w) return false;
            const before = w.scrollY;
            w.scrollTo(0, n * (w.innerHeight - 80));
            return w.scrollY > before;
          }, screen);
          if (!moved) break;
          await session.page.waitForTimeout(150);
          await session.shot(file.replace(/\.png$/, `-${screen + 1}.png`));
        }
        const problems = session.problems.slice(before);
        report.push(
          `${problems.length ? '✗' : '✓'} ${role.name.padEnd(15)} ${route.padEnd(40)} ${String(ms).padStart(5)} ms${problems.map((p) => `\n    ${p.kind}: ${p.text.split('\n')[0]}`).join('')}`,
        );
      }
      await session.close();
    }
  } finally {
    await rig.close();
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, only ? `report-${[...only].join('-')}.txt` : 'report.txt'), `${report.join('\n')}\n`);
  console.log(report.join('\n'));
  console.log(`\n${count} screenshots in ${OUT} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
