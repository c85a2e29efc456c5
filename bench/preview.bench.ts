/**
 * The browser preview (issue 15): wall-clock time from loading the preview to the first page
 * shown, and of a page switch, in Debian's headless Chromium against a seeded local cloud.
 * Targets: first page ≤ 3,000 ms, a switch to a cached page ≤ 300 ms.
 */
import { hasChromium, Session, startRig } from '../test/browser/harness';
import { percentile, report } from './stats';

/** Runs the section and prints its lines. */
export async function run(): Promise<void> {
  if (!hasChromium) {
    console.log('preview.skipped: no /usr/bin/chromium (apt-get install chromium)');
    return;
  }
  const rig = await startRig({ demoOrders: false });
  const first: number[] = [];
  const switches: number[] = [];
  try {
    for (let i = 0; i < 5; i += 1) {
      const s = await Session.open(rig, 'dev-res-0001');
      await s.see('我能做的事');
      first.push(
        await s.page.evaluate(
          () => (window as unknown as { __gridlinkShell: { firstPageAt: number } }).__gridlinkShell.firstPageAt,
        ),
      );
      await s.tap('我的订单');
      switches.push(await s.waitPage('pages/resident/orders/index'));
      await s.close();
    }
  } finally {
    await rig.close();
  }
  report('preview.first_page_ms_p50', percentile(first, 50), '≤ 3000');
  report('preview.first_page_ms_max', Math.max(...first), '≤ 3000');
  report('preview.page_switch_ms_p50', percentile(switches, 50), '≤ 300');
  report('preview.page_switch_ms_max', Math.max(...switches), '≤ 300');
}
