import type { DirectoryView } from '../../typings/api';
import { failure, myVolunteer, shiftView, volunteerAdmin } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';
import { files } from '../helpers/page-setup';

const directory: DirectoryView = {
  community: { id: 'c-xingfu', name: '幸福新村社区', district: '城关区' },
  grids: [
    {
      id: 'g-01',
      name: '第1网格',
      buildings: [
        { id: 'b-001', name: '1号楼', floors: 6 },
        { id: 'b-002', name: '2号楼', floors: 18 },
      ],
    },
    { id: 'g-02', name: '第2网格', buildings: [{ id: 'b-003', name: '3号楼', floors: 18 }] },
  ],
};
const myView = myVolunteer;
const pendingRow = volunteerAdmin();
const shift = shiftView;

describe('register → approve → sign up → on duty', () => {
  it('a resident reports to the community: local checks first, then the registration, then its state', async () => {
    const { calls } = mockCall({
      'volunteer.me': () => ({ ok: true, data: null }),
      'volunteer.prefill': () => ({
        ok: true,
        data: { name: '', phoneMasked: null, communityId: null, gridId: null },
      }),
      'household.communities': () => ({ ok: true, data: [directory.community] }),
      'household.directory': () => ({ ok: true, data: directory }),
      'volunteer.register': () => ({ ok: true, data: myView() }),
    });
    const page = await loadPage('pages/volunteer/register/index');
    expect(textOf(page)).toContain('向 幸福新村社区 报到');
    expect(textOf(page)).toContain('第2网格');
    expect(textOf(page)).toContain('藏汉双语翻译');

    // Sent too early: the form says what is missing, nothing goes to the server.
    tapButton(page, '.reg__submit');
    await flush();
    expect(calls.some((c) => c.action === 'volunteer.register')).toBe(false);
    expect(textOf(page)).toContain('请填写11位手机号');
    expect(textOf(page)).toContain('请至少选择一个意向服务队');

    const set = (field: string, value: unknown) =>
      page.instance.onInput({ currentTarget: { dataset: { field } }, detail: { value } });
    set('name', '次仁卓玛');
    set('phone', '13912345678');
    set('partyMember', 'yes');
    await flush();
    expect(page.querySelector('.reg__branch')).toBeTruthy();
    set('partyBranch', '第一党支部');
    set('workUnit', '城关区教育局');
    set('gridIds', ['g-01']);
    set('teamsWished', ['delivery']);
    set('skills', ['driving']);
    set('slots', ['morning', 'afternoon']);
    set('health', ['noSymptoms', 'noRiskContact', 'promise']);
    await flush();
    tapButton(page, '.reg__submit');
    await flush();
    expect(calls.find((c) => c.action === 'volunteer.register')?.payload).toEqual({
      name: '次仁卓玛',
      phone: '13912345678',
      partyMember: true,
      partyBranch: '第一党支部',
      workUnit: '城关区教育局',
      communityId: 'c-xingfu',
      gridIds: ['g-01'],
      teamsWished: ['delivery'],
      skills: ['driving'],
      slots: ['morning', 'afternoon'],
      health: { noSymptoms: true, noRiskContact: true, promise: true },
    });
    expect(textOf(page)).toContain('已报到，等待审核');
    expect(page.querySelector('.reg__submit')).toBeFalsy();
  });

  it('a resident registering for the first time finds their name, phone (masked) and grid filled in', async () => {
    const { calls } = mockCall({
      'volunteer.me': () => ({ ok: true, data: null }),
      'volunteer.prefill': () => ({
        ok: true,
        data: { name: '次仁卓玛', phoneMasked: '139****5678', communityId: 'c-xingfu', gridId: 'g-02' },
      }),
      'household.communities': () => ({ ok: true, data: [directory.community] }),
      'household.directory': () => ({ ok: true, data: directory }),
      'volunteer.register': () => ({ ok: true, data: myView() }),
    });
    const page = await loadPage('pages/volunteer/register/index');
    expect(page.instance.data).toMatchObject({
      name: '次仁卓玛',
      phone: '',
      phoneMasked: '139****5678',
      gridIds: ['g-02'],
    });
    const set = (field: string, value: unknown) =>
      page.instance.onInput({ currentTarget: { dataset: { field } }, detail: { value } });
    set('workUnit', '退休');
    set('teamsWished', ['delivery']);
    set('slots', ['morning']);
    set('health', ['noSymptoms', 'noRiskContact', 'promise']);
    tapButton(page, '.reg__submit');
    await flush();
    // The phone left empty is the one the app knows (kept on the server, never typed again).
    expect(calls.find((c) => c.action === 'volunteer.register')?.payload).toMatchObject({
      name: '次仁卓玛',
      gridIds: ['g-02'],
    });
    expect(calls.find((c) => c.action === 'volunteer.register')?.payload).not.toHaveProperty('phone');
  });

  it('shows the server’s message beside the field it refused', async () => {
    mockCall({
      'volunteer.prefill': () => ({
        ok: true,
        data: { name: '次仁卓玛', phoneMasked: '139****5678', communityId: 'c-xingfu', gridId: 'g-01' },
      }),
      'volunteer.me': () => ({
        ok: true,
        data: myView({ status: 'rejected', statusText: '未通过', rejectReason: '请先完成核酸检测' }),
      }),
      'household.communities': () => ({ ok: true, data: [directory.community] }),
      'household.directory': () => ({ ok: true, data: directory }),
      'volunteer.register': () =>
        failure('COMMON.INVALID_INPUT', '所选网格不属于该社区', [{ path: 'gridIds', message: '所选网格不属于该社区' }]),
    });
    const page = await loadPage('pages/volunteer/register/index');
    expect(textOf(page)).toContain('原因：请先完成核酸检测');
    tapButton(page, '.reg__edit');
    await flush();
    // Registering again: the phone is kept unless changed (only its masked form is on screen).
    expect(page.instance.data).toMatchObject({
      name: '次仁卓玛',
      phone: '',
      phoneMasked: '139****5678',
      gridIds: ['g-01'],
    });
    page.instance.onInput({
      currentTarget: { dataset: { field: 'health' } },
      detail: { value: ['noSymptoms', 'noRiskContact', 'promise'] },
    });
    tapButton(page, '.reg__submit');
    await flush();
    expect(page.instance.data.errors.gridIds).toBe('所选网格不属于该社区');
    expect(textOf(page)).toContain('所选网格不属于该社区');
  });

  it('the gridworker approves with a team and buildings of the volunteer’s grid', async () => {
    const { calls } = mockCall({
      'user.me': () => ({
        ok: true,
        data: {
          openid: 'dev-gw-01',
          nickName: '网格员',
          roles: ['gridworker'],
          communityId: 'c-xingfu',
          adminGridIds: ['g-01'],
          householdId: null,
        },
      }),
      'household.directory': () => ({ ok: true, data: directory }),
      'volunteer.list': () => ({ ok: true, data: [pendingRow] }),
      'volunteer.review': (p) => ({
        ok: true,
        data: {
          ...pendingRow,
          status: 'approved',
          team: p.team ?? null,
          buildingIds: p.buildingIds ?? [],
          capacityKg: p.capacityKg ?? pendingRow.capacityKg,
        },
      }),
    });
    const page = await loadPage('pages/admin/volunteers/index');
    expect(calls.find((c) => c.action === 'volunteer.list')?.payload).toEqual({ status: 'pending' });
    const text = textOf(page);
    expect(text).toContain('次仁卓玛');
    expect(text).toContain('党员 · 第一党支部');
    expect(text).toContain('139****5678');
    expect(text).toContain('驾驶皮卡');
    // What they declared they can carry, so the gridworker knows whom to send for a gas cylinder.
    expect(text).toContain('搬运：徒手15公斤，有小推车');
    tapButton(page, '.adv__approve');
    await flush();
    // The team wished first is proposed; buildings offered are those of the volunteer's grid only.
    expect(page.instance.data.form).toMatchObject({
      team: 'delivery',
      buildingOptions: [
        { value: 'b-001', label: '1号楼' },
        { value: 'b-002', label: '2号楼' },
      ],
    });
    expect(textOf(page)).not.toContain('3号楼');
    page.instance.onForm({ currentTarget: { dataset: { field: 'buildingIds' } }, detail: { value: ['b-002'] } });
    page.instance.onForm({ currentTarget: { dataset: { field: 'capacityKg' } }, detail: { value: '18' } });
    tapButton(page, '.adv__confirm');
    await flush();
    expect(calls.find((c) => c.action === 'volunteer.review')?.payload).toEqual({
      volunteerId: 'o-vol',
      approve: true,
      team: 'delivery',
      buildingIds: ['b-002'],
      capacityKg: 18,
    });
    expect(textOf(page)).toContain('没有待审核的报到');
  });

  it('rejecting asks for the reason the volunteer will read', async () => {
    const { calls } = mockCall({
      'user.me': () => ({
        ok: true,
        data: {
          openid: 'dev-admin',
          nickName: '管理员',
          roles: ['communityAdmin'],
          communityId: 'c-xingfu',
          adminGridIds: [],
          householdId: null,
        },
      }),
      'household.directory': () => ({ ok: true, data: directory }),
      'volunteer.list': () => ({ ok: true, data: [pendingRow] }),
      'volunteer.review': () => ({
        ok: false,
        code: 'COMMON.INVALID_INPUT',
        message: '请填写不通过的原因，志愿者会看到',
      }),
    });
    const page = await loadPage('pages/admin/volunteers/index');
    tapButton(page, '.adv__reject');
    await flush();
    tapButton(page, '.adv__confirm');
    await flush();
    expect(calls.find((c) => c.action === 'volunteer.review')?.payload).toEqual({
      volunteerId: 'o-vol',
      approve: false,
      reason: '',
    });
    expect(page.instance.data.form).toMatchObject({ mode: 'reject' });
  });

  it('the approved volunteer signs up for a shift within its seats', async () => {
    let taken = 3;
    const { calls } = mockCall({
      'volunteer.shifts': () => ({
        ok: true,
        data: {
          items: [
            shift({ taken }),
            shift({
              id: 's-2',
              title: '核酸采样',
              team: 'testing',
              teamText: '核酸检测',
              qualifications: ['medical'],
              canSignUp: false,
              whyNot: '该班次需要：医护',
            }),
          ],
          nextCursor: null,
          total: 2,
        },
      }),
      'volunteer.signUp': () => {
        taken += 1;
        return { ok: true, data: shift({ taken, mine: true, canSignUp: false, canCancel: true }) };
      },
    });
    const page = await loadPage('pages/volunteer/shifts/index');
    let text = textOf(page);
    expect(text).toContain('08-21 08:00–14:00 · 北门3号卡点');
    expect(text).toContain('已报 3/4 人');
    expect(text).toContain('该班次需要：医护');
    tapButton(page, '.shift__signup');
    await flush();
    expect(calls.find((c) => c.action === 'volunteer.signUp')?.payload).toEqual({ shiftId: 's-1' });
    text = textOf(page);
    expect(text).toContain('我已报名');
    expect(text).toContain('已报 4/4 人');
    expect(text).toContain('开始前可取消，截止 08-21 06:00');
  });

  it('shows how many shifts there are and loads later ones on scroll', async () => {
    const { calls } = mockCall({
      'volunteer.shifts': (p) => ({
        ok: true,
        data: p.cursor
          ? { items: [shift({ id: 's-9', title: '物资分发' })], nextCursor: null, total: 2 }
          : { items: [shift()], nextCursor: 'later', total: 2 },
      }),
    });
    const page = await loadPage('pages/volunteer/shifts/index');
    expect(textOf(page)).toContain('共 2 个班次 · 上拉加载更多');
    await page.instance.onReachBottom();
    await flush();
    expect(calls.filter((c) => c.action === 'volunteer.shifts').at(-1)?.payload).toEqual({ cursor: 'later' });
    expect(textOf(page)).toContain('物资分发');
    expect(textOf(page)).toContain('已全部加载');
  });

  it('when the last seat went to someone else, says so and shows the seats as they are', async () => {
    let full = false;
    mockCall({
      'volunteer.shifts': () => ({
        ok: true,
        data: {
          items: [full ? shift({ taken: 4, canSignUp: false, whyNot: '该班次人数已满，请选择其他班次' }) : shift()],
          nextCursor: null,
          total: 1,
        },
      }),
      'volunteer.signUp': () => {
        full = true;
        return { ok: false, code: 'VOLUNTEER.SHIFT_FULL', message: '该班次人数已满，请选择其他班次' };
      },
    });
    const page = await loadPage('pages/volunteer/shifts/index');
    tapButton(page, '.shift__signup');
    await flush();
    expect(textOf(page)).toContain('已报 4/4 人');
    expect(page.querySelector('.shift__signup')).toBeFalsy();
  });

  it('goes on duty, then off duty handing back unstarted jobs', async () => {
    const { calls } = mockCall({
      'volunteer.me': () => ({
        ok: true,
        data: myView({ status: 'approved', statusText: '已通过', team: 'delivery', buildingNames: ['2号楼'] }),
      }),
      'volunteer.setDuty': (p) => ({
        ok: true,
        data: p.onDuty
          ? { onDuty: true, dutySince: '2022-08-20T01:05:00.000Z', releasedJobs: 0 }
          : { onDuty: false, dutySince: null, releasedJobs: 2 },
      }),
    });
    const page = await loadPage('pages/volunteer/me/index');
    let text = textOf(page);
    expect(text).toContain('服务队：送货配送');
    expect(text).toContain('负责楼栋：2号楼');
    expect(text).toContain('未上岗');
    tapButton(page, '.me__duty-btn');
    await flush();
    expect(calls.find((c) => c.action === 'volunteer.setDuty')?.payload).toEqual({ onDuty: true });
    text = textOf(page);
    expect(text).toContain('在岗中');
    expect(text).toContain('08-20 09:05 上岗');
    tapButton(page, '.me__duty-btn');
    await flush();
    expect(calls.filter((c) => c.action === 'volunteer.setDuty').map((c) => c.payload)).toEqual([
      { onDuty: true },
      { onDuty: false },
    ]);
    expect(textOf(page)).toContain('未上岗');
  });

  it('leaving asks first', async () => {
    const { calls } = mockCall({
      'volunteer.me': () => ({
        ok: true,
        data: myView({ status: 'approved', statusText: '已通过', team: 'checkpoint' }),
      }),
      'volunteer.leave': () => ({ ok: true, data: myView({ status: 'left', statusText: '已退出' }) }),
    });
    (wx.showModal as jest.Mock).mockImplementationOnce((o: { success: (r: { confirm: boolean }) => void }) =>
      o.success({ confirm: false }),
    );
    const page = await loadPage('pages/volunteer/me/index');
    tapButton(page, '.me__leave');
    await flush();
    expect(calls.some((c) => c.action === 'volunteer.leave')).toBe(false);
    (wx.showModal as jest.Mock).mockImplementationOnce((o: { success: (r: { confirm: boolean }) => void }) =>
      o.success({ confirm: true }),
    );
    tapButton(page, '.me__leave');
    await flush();
    expect(textOf(page)).toContain('已退出');
    expect(page.querySelector('.me__duty-btn')).toBeFalsy();
  });
});

describe('volunteer card and hours', () => {
  it('shows name, team, community, status and the QR to scan', async () => {
    mockCall({
      'volunteer.card': () => ({
        ok: true,
        data: {
          name: '次仁卓玛',
          team: 'checkpoint',
          teamText: '卡点值守',
          communityName: '幸福新村社区',
          status: 'approved',
          statusText: '已通过',
          onDuty: true,
          token: 't',
          qr: 'data:image/svg+xml;base64,PHN2Zy8+',
          validUntil: '2022-08-21T10:00:00+08:00',
        },
      }),
    });
    const page = await loadPage('pages/volunteer/card/index');
    const text = textOf(page);
    expect(text).toContain('幸福新村社区 志愿者证');
    expect(text).toContain('次仁卓玛');
    expect(text).toContain('卡点值守');
    expect(text).toContain('已通过');
    expect(text).toContain('在岗');
    expect(text).toContain('有效至 08-21 10:00');
    expect(page.querySelector('.vcard__qr')).toBeTruthy();
  });

  it('shows the hours, sessions and deliveries', async () => {
    mockCall({
      'volunteer.myHours': () => ({
        ok: true,
        data: {
          totalMinutes: 150,
          totalHoursText: '2小时30分钟',
          jobsDelivered: 7,
          shiftsServed: 2,
          sessions: [
            { startAt: '2022-08-20T09:00:00+08:00', endAt: null, minutes: 30 },
            { startAt: '2022-08-19T09:00:00+08:00', endAt: '2022-08-19T11:00:00+08:00', minutes: 120 },
          ],
        },
      }),
    });
    const page = await loadPage('pages/volunteer/hours/index');
    const text = textOf(page);
    expect(text).toContain('2小时30分钟');
    expect(text).toContain('完成配送任务 7 次 · 参加班次 2 个');
    expect(text).toContain('08-20 09:00 起（在岗中）');
    expect(text).toContain('08-19 09:00 – 11:00');
    expect(text).toContain('2小时');
  });
});

describe('admin: statistics, hours export, shifts and rosters', () => {
  it('shows teams, party share, on duty now and idle volunteers; exports hours to Excel', async () => {
    mockCall({
      'user.me': () => ({
        ok: true,
        data: {
          openid: 'dev-admin',
          nickName: '管理员',
          roles: ['communityAdmin'],
          communityId: 'c-xingfu',
          adminGridIds: [],
          householdId: null,
        },
      }),
      'household.directory': () => ({ ok: true, data: directory }),
      'volunteer.list': () => ({ ok: true, data: [] }),
      'volunteer.stats': () => ({
        ok: true,
        data: {
          total: 12,
          byStatus: { pending: 2, approved: 9, rejected: 1, left: 0 },
          partyMembers: 4,
          partyShare: 4 / 9,
          onDutyNow: 5,
          pending: 2,
          byTeam: [
            { team: 'delivery', text: '送货配送', approved: 6, onDuty: 5 },
            { team: 'testing', text: '核酸检测', approved: 0, onDuty: 0 },
          ],
          idle: [
            {
              id: 'v9',
              name: '格桑',
              phoneMasked: '138****0000',
              teamsWished: ['checkpoint'],
              since: '2022-08-18T08:00:00+08:00',
            },
          ],
        },
      }),
      'volunteer.exportHours': () => ({
        ok: true,
        data: { fileName: '志愿服务时长-2022-08-20.xlsx', base64: 'UEsDBA==', rows: 9 },
      }),
    });
    const page = await loadPage('pages/admin/volunteers/index');
    page.querySelector('.adv__tab-stats')!.dispatchEvent('tap');
    await flush();
    const text = textOf(page);
    expect(text).toContain('44%');
    expect(text).toContain('送货配送');
    expect(text).toContain('6 人（在岗 5）');
    expect(text).not.toContain('核酸检测');
    expect(text).toContain('闲置志愿者：已通过但从未安排（1 人）');
    expect(text).toContain('格桑');
    tapButton(page, '.adv__export');
    await flush();
    expect(files.get('wxfile://usr/志愿服务时长-2022-08-20.xlsx')).toBe('UEsDBA==');
    expect(wx.openDocument).toHaveBeenCalledWith(expect.objectContaining({ fileType: 'xlsx' }));
  });

  it('publishes a shift and opens its roster', async () => {
    const { calls } = mockCall({
      'volunteer.shifts': () => ({ ok: true, data: { items: [shift()], nextCursor: null, total: 1 } }),
      'volunteer.createShift': (p) => {
        const { cancelBeforeHours: _cancelBeforeHours, ...fields } = p;
        return { ok: true, data: shift({ id: 's-9', ...fields, teamText: '物资发放', taken: 0 }) };
      },
      'volunteer.roster': () => ({
        ok: true,
        data: {
          shift: shift(),
          people: [
            {
              id: 'o1',
              name: '扎西',
              phoneMasked: '139****0001',
              team: 'checkpoint',
              signedAt: '2022-08-20T10:00:00+08:00',
              onDuty: true,
            },
          ],
        },
      }),
    });
    const page = await loadPage('pages/admin/shifts/index');
    tapButton(page, '.ash__new');
    await flush();
    const set = (field: string, value: unknown) =>
      page.instance.onForm({ currentTarget: { dataset: { field } }, detail: { value } });
    set('team', 'supplies');
    set('title', '爱心菜包发放');
    set('place', '社区物资中转站');
    set('date', '2022-08-22');
    set('start', '09:00');
    set('end', '12:00');
    set('capacity', '5');
    set('qualifications', []);
    tapButton(page, '.ash__create');
    await flush();
    expect(calls.find((c) => c.action === 'volunteer.createShift')?.payload).toEqual({
      team: 'supplies',
      title: '爱心菜包发放',
      place: '社区物资中转站',
      date: '2022-08-22',
      start: '09:00',
      end: '12:00',
      capacity: 5,
      qualifications: [],
      cancelBeforeHours: 2,
    });
    expect(textOf(page)).toContain('爱心菜包发放');
    page.querySelector('.ash__seats')!.dispatchEvent('tap');
    await flush();
    expect(calls.find((c) => c.action === 'volunteer.roster')?.payload).toEqual({ shiftId: 's-1' });
    expect(textOf(page)).toContain('扎西');
    expect(textOf(page)).toContain('139****0001');
  });
});

describe('查验志愿者证 page (checkpoint)', () => {
  it('scans a card and shows whether the volunteer may pass', async () => {
    const { calls } = mockCall({
      'volunteer.verifyCard': () => ({
        ok: true,
        data: {
          status: 'revoked',
          text: '无效：该志愿者已退出或未通过审核',
          nameMasked: '次**玛',
          teamText: '卡点值守',
          communityName: '幸福新村社区',
          onDuty: false,
        },
      }),
    });
    (wx.scanCode as jest.Mock).mockImplementationOnce((o: { success: (r: unknown) => void }) =>
      o.success({ result: 'volunteer-card-token' }),
    );
    const page = await loadPage('pages/volunteer/verify/index');
    tapButton(page, '.vverify__scan');
    await flush();
    expect(calls[0]?.payload).toEqual({ token: 'volunteer-card-token' });
    expect(textOf(page)).toContain('无效：该志愿者已退出或未通过审核');
    expect(textOf(page)).toContain('次**玛 · 卡点值守 · 幸福新村社区');
    expect(wx.vibrateLong).toHaveBeenCalled();
  });
});
