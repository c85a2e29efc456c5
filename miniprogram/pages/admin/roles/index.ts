/**
 * 角色与邀请码: find a person by name or phone and grant them a role (and grid) — nobody types an
 * id —, invitation codes for a role (and grid) with counted uses, and the community's staff and
 * volunteers: searched by name or phone, filtered by role, revoked with one tap; gridworkers' and
 * group leaders' workload settings for the assignment.
 */
import type { Page, RoleCodeView, StaffView, StructureView, UserMatchView } from '../../../../typings/api';
import type { GrantableRole } from '../../../../typings/entities';
import { ApiError, call } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';
import { ROLE_LABELS } from '../../../utils/labels';
import { byNatural } from '../../../generated/natural-sort';

const ROLES: GrantableRole[] = ['gridworker', 'groupLeader', 'volunteer', 'communityAdmin'];
const GRID_ROLES: GrantableRole[] = ['gridworker', 'groupLeader'];
/** People the list shows at first; more on tap (a community has hundreds of volunteers). */
const SHOWN = 20;

type Structure = StructureView;

/** A member of staff as a row of the list. */
export function staffRow(s: StaffView) {
  return {
    ...s,
    roleTags: s.roles
      .filter((r): r is GrantableRole => r !== 'resident' && r !== 'sampler')
      .map((r) => ({ role: r, text: ROLE_LABELS[r] })),
    // A long list of grids reads as its first few and how many.
    gridsText:
      s.gridNames.length > 4
        ? `${s.gridNames.slice(0, 3).join('、')} 等 ${s.gridNames.length} 个网格`
        : s.gridNames.join('、'),
    capacityText: s.capacity === null ? '' : `最多负责约 ${s.capacity} 户`,
    isGridStaff: s.roles.includes('gridworker') || s.roles.includes('groupLeader'),
    /** What the search box matches: the name and the phone's visible digits. */
    search: `${s.name} ${(s.phoneMasked ?? '').replace(/\*/g, '')}`,
  };
}

type StaffRow = ReturnType<typeof staffRow>;

/** Staff matching the search words and the role picked (all when empty). */
export function filterStaff(rows: readonly StaffRow[], words: string, role: GrantableRole | ''): StaffRow[] {
  const w = words.replace(/\s+/g, '');
  return rows.filter(
    (r) =>
      (!role || r.roles.includes(role)) &&
      (!w || r.name.includes(w) || (/^\d+$/.test(w) && r.search.includes(w.slice(-4)))),
  );
}

/** A person found to grant a role to, as the search answers show them (phone masked). */
export function matchRow(m: UserMatchView) {
  const roles = m.roles.filter((r) => r !== 'resident').map((r) => ROLE_LABELS[r]);
  return {
    ...m,
    text: [m.phoneMasked, m.place, roles.length ? `现为${roles.join('、')}` : '', m.inCommunity ? '' : '尚未加入本社区']
      .filter(Boolean)
      .join(' · '),
  };
}

function codeRow(c: RoleCodeView) {
  return {
    ...c,
    text: `${ROLE_LABELS[c.role]}${c.gridName ? ` · ${c.gridName}` : ''} · 已用 ${c.used}/${c.maxUses} · ${chinaTime(c.expiresAt)} 到期${c.revoked ? ' · 已作废' : ''}`,
  };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    roles: ROLES.map((r) => ({ role: r, text: ROLE_LABELS[r] })),
    grids: [] as Array<{ id: string; name: string }>,
    buildings: [] as Array<{ id: string; name: string }>,
    staff: [] as StaffRow[],
    shown: [] as StaffRow[],
    staffTotal: 0,
    staffMatching: 0,
    staffWords: '',
    staffRole: '' as GrantableRole | '',
    showAll: false,
    codes: [] as Array<ReturnType<typeof codeRow>>,
    /** Codes issued in all; the list loads a page at a time ("更多"). */
    codesTotal: 0,
    codesCursor: '',
    form: { role: 'gridworker' as GrantableRole, gridId: '', maxUses: '1', days: '7' },
    needsGrid: true,
    lastCode: '',
    /** Finding the person to grant a role to. */
    query: '',
    searching: false,
    searched: false,
    matches: [] as Array<ReturnType<typeof matchRow>>,
    picked: null as ReturnType<typeof matchRow> | null,
    profile: { open: false, openid: '', name: '', capacity: '', homeIndex: -1, mustNot: [] as string[] },
  },
  methods: {
    async onLoad() {
      await this.load();
    },
    async load() {
      try {
        const [structure, staff, codes] = await Promise.all([
          call('org.structure', {}),
          call('org.staff', {}),
          call('org.codes', {}),
        ]);
        this.show(structure, staff, codes);
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    /** The next page of issued codes. */
    async moreCodes() {
      if (!this.data.codesCursor) return;
      try {
        const page = await call('org.codes', { cursor: this.data.codesCursor });
        this.setData({
          codes: [...this.data.codes, ...page.items.map(codeRow)],
          codesTotal: page.total,
          codesCursor: page.nextCursor ?? '',
        });
      } catch (error) {
        showError(this, error);
      }
    },
    show(structure: Structure, staff: StaffView[], codes: Page<RoleCodeView>) {
      const rows = staff.map(staffRow);
      structure = { ...structure, grids: [...structure.grids].sort(byNatural((g) => g.name)) };
      this.setData({
        loading: false,
        grids: structure.grids.map((g) => ({ id: g.id, name: g.name })),
        buildings: structure.grids.flatMap((g) => g.buildings.map((b) => ({ id: b.id, name: `${g.name} ${b.name}` }))),
        staff: rows,
        staffTotal: rows.length,
        codes: codes.items.map(codeRow),
        codesTotal: codes.total,
        codesCursor: codes.nextCursor ?? '',
        'form.gridId': this.data.form.gridId || structure.grids[0]?.id || '',
      });
      this.refilter();
    },
    /** The staff list after the search words or the role filter changed. */
    refilter() {
      const { staff, staffWords, staffRole, showAll } = this.data;
      const matching = filterStaff(staff, staffWords, staffRole);
      this.setData({ shown: showAll ? matching : matching.slice(0, SHOWN), staffMatching: matching.length });
    },
    onStaffWords(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ staffWords: e.detail.value.trim(), showAll: false });
      this.refilter();
    },
    pickStaffRole(e: WechatMiniprogram.BaseEvent<Record<string, never>, { role: GrantableRole | '' }>) {
      const role = e.currentTarget.dataset.role;
      this.setData({ staffRole: this.data.staffRole === role ? '' : role, showAll: false });
      this.refilter();
    },
    showMore() {
      this.setData({ showAll: true });
      this.refilter();
    },
    pickRole(e: WechatMiniprogram.BaseEvent<Record<string, never>, { role: GrantableRole }>) {
      const role = e.currentTarget.dataset.role;
      this.setData({ 'form.role': role, needsGrid: GRID_ROLES.includes(role) });
    },
    pickGrid(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      this.setData({ 'form.gridId': e.currentTarget.dataset.id });
    },
    onForm(e: WechatMiniprogram.CustomEvent<{ value: string }, Record<string, never>, { field: 'maxUses' | 'days' }>) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value.trim() });
    },
    onQuery(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ query: e.detail.value.trim() });
    },
    /** Finds people by name or phone to grant the role to. */
    async search() {
      const query = this.data.query.trim();
      if (!query) return showError(this, new ApiError('COMMON.INVALID_INPUT', '请输入对方的姓名或手机号'));
      this.setData({ searching: true });
      try {
        const found = await call('org.findUsers', { query });
        this.setData({ searching: false, searched: true, matches: found.map(matchRow), picked: null });
      } catch (error) {
        this.setData({ searching: false });
        showError(this, error);
      }
      return undefined;
    },
    pickPerson(e: WechatMiniprogram.BaseEvent<Record<string, never>, { index: number }>) {
      this.setData({ picked: this.data.matches[e.currentTarget.dataset.index] ?? null });
    },
    async createCode() {
      const f = this.data.form;
      try {
        const code = await call('org.createCode', {
          role: f.role,
          ...(this.data.needsGrid ? { gridId: f.gridId } : {}),
          maxUses: Number(f.maxUses) || 1,
          days: Number(f.days) || 7,
        });
        this.setData({
          lastCode: code.code,
          codes: [codeRow(code), ...this.data.codes],
          codesTotal: this.data.codesTotal + 1,
        });
      } catch (error) {
        showError(this, error);
      }
    },
    async revokeCode(e: WechatMiniprogram.BaseEvent<Record<string, never>, { code: string }>) {
      try {
        const code = await call('org.revokeCode', { code: e.currentTarget.dataset.code });
        this.setData({ codes: this.data.codes.map((c) => (c.code === code.code ? codeRow(code) : c)) });
        showSuccess(this, '已作废');
      } catch (error) {
        showError(this, error);
      }
    },
    async grant() {
      const f = this.data.form;
      const person = this.data.picked;
      if (!person) return showError(this, new ApiError('COMMON.INVALID_INPUT', '请先搜索并选中要授予角色的人'));
      try {
        await call('org.grantRole', {
          openid: person.openid,
          role: f.role,
          ...(this.data.needsGrid ? { gridIds: [f.gridId] } : {}),
        });
        showSuccess(this, `已授予${person.name}${ROLE_LABELS[f.role]}`);
        this.setData({ picked: null, matches: [], query: '', searched: false });
        await this.load();
      } catch (error) {
        showError(this, error);
      }
      return undefined;
    },
    async revoke(e: WechatMiniprogram.BaseEvent<Record<string, never>, { openid: string; role: GrantableRole }>) {
      const { openid, role } = e.currentTarget.dataset;
      const who = this.data.staff.find((s) => s.openid === openid)?.name ?? '';
      const sure = await new Promise<boolean>((resolve) =>
        wx.showModal({
          title: '撤销角色',
          content: `确定撤销${who}的${ROLE_LABELS[role]}角色？`,
          success: (r) => resolve(r.confirm),
          fail: () => resolve(false),
        }),
      );
      if (!sure) return;
      try {
        await call('org.revokeRole', { openid, role });
        showSuccess(this, `已撤销${ROLE_LABELS[role]}`);
        await this.load();
      } catch (error) {
        showError(this, error);
      }
    },
    editProfile(e: WechatMiniprogram.BaseEvent<Record<string, never>, { openid: string }>) {
      const s = this.data.staff.find((x) => x.openid === e.currentTarget.dataset.openid);
      if (!s) return;
      this.setData({
        profile: {
          open: true,
          openid: s.openid,
          name: s.name,
          capacity: s.capacity === null ? '' : String(s.capacity),
          homeIndex: this.data.buildings.findIndex((b) => b.id === s.homeBuildingId),
          mustNot: s.mustNotGridIds,
        },
      });
    },
    onCapacity(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ 'profile.capacity': e.detail.value.trim() });
    },
    onHome(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ 'profile.homeIndex': Number(e.detail.value) });
    },
    toggleMustNot(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const id = e.currentTarget.dataset.id;
      const list = this.data.profile.mustNot;
      this.setData({ 'profile.mustNot': list.includes(id) ? list.filter((g) => g !== id) : [...list, id] });
    },
    closeProfile() {
      this.setData({ 'profile.open': false });
    },
    async saveProfile() {
      const p = this.data.profile;
      const capacity = Number(p.capacity);
      if (!Number.isInteger(capacity) || capacity < 1)
        return showError(this, new ApiError('COMMON.INVALID_INPUT', '请填写最多负责多少户'));
      try {
        await call('org.saveStaffProfile', {
          openid: p.openid,
          capacity,
          homeBuildingId: this.data.buildings[p.homeIndex]?.id ?? null,
          mustGridIds: [],
          mustNotGridIds: p.mustNot,
        });
        this.setData({ 'profile.open': false });
        showSuccess(this, '已保存');
        await this.load();
      } catch (error) {
        showError(this, error);
      }
      return undefined;
    },
  },
});
