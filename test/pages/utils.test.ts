import { entriesFor, HOME_ENTRIES, NEED_LABELS, ROLE_LABELS } from '../../miniprogram/utils/labels';

describe('labels', () => {
  it('labels every role and status in Chinese', () => {
    for (const label of [...Object.values(ROLE_LABELS), ...Object.values(NEED_LABELS)])
      expect(label).toMatch(/[\u4e00-\u9fa5]/);
  });

  it('offers only existing pages, by role', () => {
    expect(entriesFor(['communityAdmin']).every((e) => e.ready)).toBe(true);
    expect(entriesFor([]).map((e) => e.key)).toEqual(['join', 'register', 'redeem', 'privacy']);
    expect(entriesFor(['resident']).map((e) => e.key)).toEqual([
      'my-grid',
      'household',
      'order',
      'my-orders',
      'cards',
      'register',
      'redeem',
      'privacy',
    ]);
    // Once registered, the volunteer's own pages replace the registration entry.
    expect(entriesFor(['resident', 'volunteer']).map((e) => e.key)).toEqual(
      expect.arrayContaining(['volunteer-me', 'volunteer-shifts', 'jobs', 'sample', 'verify']),
    );
    expect(entriesFor(['resident', 'volunteer']).map((e) => e.key)).not.toContain('register');
    const appPages = (require('../../miniprogram/app.json') as { pages: string[] }).pages.map((p) => `/${p}`);
    for (const entry of HOME_ENTRIES.filter((e) => e.ready)) expect(appPages).toContain(entry.url);
  });
});
