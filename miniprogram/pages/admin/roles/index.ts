/**
 * 角色与邀请码: who holds which role (grant directly by WeChat id, revoke), gridworkers' capacity
 * and home for the assignment, and invitation codes for a role (and grid) with counted uses.
 */
import type { Page, RoleCodeView, StaffView, StructureView } from '../../../../typings/api';
import type { GrantableRole } from '../../../../typings/entities';
import { ApiError, call } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';
import { ROLE_LABELS } from '../../../utils/labels';

const ROLES: GrantableRole[] = ['gridworker', 'groupLeader', 'volunteer', 'communityAdmin'];
const GRID_ROLES: GrantableRole[] = ['gridworker', 'groupLeader'];

type Structure = StructureView;

function staffRow(s: StaffView, gridName: Map<string, string>) {
  return {
    ...s,
    roleTags: s.roles
      .filter((r): r is GrantableRole => r !== 'resident')
      .map((r) => ({ role: r, text: ROLE_LABELS[r] })),
    gridsText: s.gridIds.map((g) => gridName.get(g) ?? g).join('、'),
    capacityText: s.capacity === null ? '' : `可承担负荷 ${s.capacity}`,
    isGridStaff: s.roles.includes('gridworker') || s.roles.includes('groupLeader'),
  };
}

function codeRow(c: RoleCodeView) {
  return {
    ...c,
    text: `${ROLE_LABELS[c.role]}${c.gridName ? ` · ${c.gridName}` : ''} · 已用 ${c.used}/${c.maxUses} · ${chinaTime(c.expiresAt)} 到期${c.revoked ? ' · 已作废' : ''}`,
  };
}

Component({
  data: {
    loading: true,
    roles: ROLES.map((r) => ({ role: r, text: ROLE_LABELS[r] })),
    grids: [] as Array<{ id: string; name: string }>,
    buildings: [] as Array<{ id: string; name: string }>,
    staff: [] as Array<ReturnType<typeof staffRow>>,
    codes: [] as Array<ReturnType<typeof codeRow>>,
    /** Codes issued in all; the list loads a page at a time ("更多"). */
    codesTotal: 0,
    codesCursor: '',
    form: { role: 'gridworker' as GrantableRole, gridId: '', openid: '', maxUses: '1', days: '7' },
    needsGrid: true,
    lastCode: '',
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
      const gridName = new Map(structure.grids.map((g) => [g.id, g.name]));
      this.setData({
        loading: false,
        grids: structure.grids.map((g) => ({ id: g.id, name: g.name })),
        buildings: structure.grids.flatMap((g) => g.buildings.map((b) => ({ id: b.id, name: `${g.name} ${b.name}` }))),
        staff: staff.map((s) => staffRow(s, gridName)),
        codes: codes.items.map(codeRow),
        codesTotal: codes.total,
        codesCursor: codes.nextCursor ?? '',
        'form.gridId': this.data.form.gridId || structure.grids[0]?.id || '',
      });
    },
    pickRole(e: WechatMiniprogram.BaseEvent<Record<string, never>, { role: GrantableRole }>) {
      const role = e.currentTarget.dataset.role;
      this.setData({ 'form.role': role, needsGrid: GRID_ROLES.includes(role) });
    },
    pickGrid(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      this.setData({ 'form.gridId': e.currentTarget.dataset.id });
    },
    onForm(
      e: WechatMiniprogram.CustomEvent<
        { value: string },
        Record<string, never>,
        { field: 'openid' | 'maxUses' | 'days' }
      >,
    ) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value.trim() });
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
      if (!f.openid)
        return showError(
          this,
          new ApiError('COMMON.INVALID_INPUT', '请填写对方的用户编号（在对方「本地调试」或个人页可见）'),
        );
      try {
        await call('org.grantRole', {
          openid: f.openid,
          role: f.role,
          ...(this.data.needsGrid ? { gridIds: [f.gridId] } : {}),
        });
        showSuccess(this, '已授予');
        this.setData({ 'form.openid': '' });
        await this.load();
      } catch (error) {
        showError(this, error);
      }
      return undefined;
    },
    async revoke(e: WechatMiniprogram.BaseEvent<Record<string, never>, { openid: string; role: GrantableRole }>) {
      const { openid, role } = e.currentTarget.dataset;
      const sure = await new Promise<boolean>((resolve) =>
        wx.showModal({
          title: '撤销角色',
          content: `确定撤销${ROLE_LABELS[role]}？`,
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
        return showError(this, new ApiError('COMMON.INVALID_INPUT', '请填写可承担的负荷（加权户数）'));
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
