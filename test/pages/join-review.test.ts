import type { JoinRequestView } from '../../typings/api';
import { me } from '../helpers/fixtures';
import { loadPage, mockCall, textOf } from '../helpers/page';

const row = (id: string, room: string, headName: string, existingHeadName: string | null): JoinRequestView => ({
  id,
  status: 'pending',
  buildingId: 'b-001',
  buildingName: '1号楼',
  room,
  headName,
  phoneMasked: '139****1234',
  via: 'manual',
  createdAt: '',
  reason: null,
  existingHeadName,
});

describe('入群审核 page: the household on record', () => {
  it('shows the masked head of a room that already has a household, and says when a room is new', async () => {
    mockCall({
      'user.me': () => ({
        ok: true,
        data: me({
          openid: 'gw',
          nickName: 'gw',
          roles: ['gridworker'],
          communityId: 'c',
          adminGridIds: ['g-01'],
          householdId: null,
        }),
      }),
      'grid.joinRequests': () => ({
        ok: true,
        data: {
          items: [row('join-a', '1-1001', '尼玛次仁', '尼**仁'), row('join-b', '东101', '东家', null)],
          nextCursor: null,
          total: 2,
        },
      }),
    });
    const page = await loadPage('pages/grid/joins/index', { gridId: 'g-01' });
    const text = textOf(page);
    expect(text).toContain('1号楼 1-1001 · 尼玛次仁');
    expect(text).toContain('该房已有住户，户主：尼**仁');
    expect(text).toContain('该房尚无住户记录，通过后将新建一户');
  });
});
