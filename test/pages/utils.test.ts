import { entriesFor, HOME_ENTRIES, NEED_LABELS, ROLE_LABELS } from '../../miniprogram/utils/labels';
import type * as genValuesModule from '../../scripts/gen-values';

describe('labels', () => {
  it('shows the same words as the server: the copy of typings/values.ts is current', () => {
    const { generatedValues, VALUES_COPY } = require('../../scripts/gen-values') as typeof genValuesModule;
    expect(require('node:fs').readFileSync(VALUES_COPY, 'utf8')).toBe(generatedValues());
  });

  it('sorts the way the server does: the copy of core/natural-sort.ts is current', () => {
    const { generatedSort, SORT_COPY } = require('../../scripts/gen-values') as typeof genValuesModule;
    expect(require('node:fs').readFileSync(SORT_COPY, 'utf8')).toBe(generatedSort());
  });

  it('labels every role and status in Chinese', () => {
    for (const label of [...Object.values(ROLE_LABELS), ...Object.values(NEED_LABELS)])
      expect(label).toMatch(/[\u4e00-\u9fa5]/);
  });

  it('offers only existing pages, by role', () => {
    expect(entriesFor([]).map((e) => e.key)).toEqual(['join', 'register', 'redeem', 'privacy']);
    expect(entriesFor(['resident']).map((e) => e.key)).toEqual([
      'order',
      'my-orders',
      'cards',
      'my-grid',
      'household',
      'register',
      'redeem',
      'close-account',
      'privacy',
    ]);
    // Each role's home starts with its daily work; the admin's with the whole community.
    expect(entriesFor(['communityAdmin'])[0]?.key).toBe('admin-dashboard');
    expect(entriesFor(['volunteer'])[0]?.key).toBe('jobs');
    expect(
      entriesFor(['gridworker'])
        .map((e) => e.key)
        .slice(0, 2),
    ).toEqual(['pool', 'board']);
    expect(entriesFor(['gridworker'])[0]?.key).not.toBe('join');
    // Once registered, the volunteer's own pages replace the registration entry.
    expect(entriesFor(['resident', 'volunteer']).map((e) => e.key)).toEqual(
      expect.arrayContaining(['volunteer-me', 'volunteer-shifts', 'jobs', 'sample', 'verify']),
    );
    expect(entriesFor(['resident', 'volunteer']).map((e) => e.key)).not.toContain('register');
    const appPages = (require('../../miniprogram/app.json') as { pages: string[] }).pages.map((p) => `/${p}`);
    for (const entry of HOME_ENTRIES) expect(appPages).toContain(entry.url);
  });
});
