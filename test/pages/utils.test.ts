import { entriesFor, HOME_ENTRIES, ORDER_STATUS_LABELS, ROLE_LABELS } from '../../miniprogram/utils/labels';
import { maskName, maskPhone } from '../../miniprogram/utils/mask';

describe('masking personal information', () => {
  it('masks phones keeping the first three and last four digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('138 1234 5678')).toBe('138****5678');
    expect(maskPhone('12345')).toBe('*****');
  });

  it('masks names keeping the first character (and the last for long names)', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('次仁卓玛')).toBe('次**玛');
    expect(maskName('王')).toBe('王');
  });
});

describe('labels', () => {
  it('labels every role and status in Chinese', () => {
    for (const label of [...Object.values(ROLE_LABELS), ...Object.values(ORDER_STATUS_LABELS)]) expect(label).toMatch(/[\u4e00-\u9fa5]/);
  });

  it('offers only existing pages, by role', () => {
    expect(entriesFor(['communityAdmin']).every((e) => e.ready)).toBe(true);
    expect(entriesFor([]).map((e) => e.key)).toEqual(['privacy']);
    const appPages = (require('../../miniprogram/app.json') as { pages: string[] }).pages.map((p) => `/${p}`);
    for (const entry of HOME_ENTRIES.filter((e) => e.ready)) expect(appPages).toContain(entry.url);
  });
});
