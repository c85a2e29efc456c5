/**
 * People without smartphones (代下单, Taiyuan and Wuhan): the slip of an order a gridworker placed
 * for a household — items, the 取货码 and when it comes — to print and hand over, so at the door
 * the volunteer takes the code (dispatch's handover), not a photo. Only that grid's gridworker and
 * the community admin read it (the code opens the household's delivery).
 *
 * It lives here, apart from the order function, because it only reads; it reads orders and rounds.
 */
import { AppError } from '../../../core/errors';
import { maskName } from '../../../core/mask';
import { toChinaIso } from '../../../core/time';
import { hasPriority } from '../../../core/household';
import { chinaDay } from '../../../core/time';
import type { HouseholdNeedsView, OrderSlipView } from '../../../typings/api';
import type { Building, HouseholdDoc, OrderDoc } from '../../../typings/entities';
import { CONTACT_METHODS, ORDER_STATUS_LABELS, PAYMENT_MODE_LABELS, SPECIAL_NEEDS } from '../../../typings/values';
import { getByIds, mustGet, requireGridStaff } from '../../lib/access';
import { defineActions } from '../../lib/define-function';
import { pageFields, pageOf } from '../../lib/query';
import { findUser } from '../../lib/users';
import { dateString, note, text, z } from '../../lib/validate';
import { id, maySeeResults } from './shared';

function needsView(h: HouseholdDoc, building: Pick<Building, 'name'>): HouseholdNeedsView {
  const c = h.sensitiveConsentAt ? (h.heardConsent ?? null) : null;
  return {
    householdId: h._id,
    place: `${building.name} ${h.room}`,
    joined: h.memberOpenids.length > 0,
    members: h.members.map((m) => ({
      memberId: m.id,
      nameMasked: maskName(m.name),
      needs: m.needs,
      needNote: m.needNote ?? '',
    })),
    consent: c ? { heardFrom: c.heardFrom, method: c.method, heardOn: c.heardOn, recordedAt: c.recordedAt } : null,
  };
}

/** Orders that never go out have no slip. */
const NO_SLIP = ['cancelled', 'rejected', 'placing'];

export const assistActions = defineActions('testing', {
  'testing.orderSlips': {
    input: z.object({ gridId: id, orderId: id.optional(), ...pageFields }).strict(),
    async handle(ctx, input) {
      const [user, grid] = await Promise.all([findUser(ctx), mustGet(ctx, 'grids', input.gridId, '网格')]);
      if (!maySeeResults(user, grid))
        throw new AppError('AUTH.NOT_GRIDWORKER', '代下单小票仅限本网格网格员和社区管理员打印');
      const _ = ctx.db.command;
      const where = {
        gridId: grid._id,
        onBehalf: true,
        status: _.nin(NO_SLIP),
        ...(input.orderId ? { _id: input.orderId } : {}),
      };
      const page = await pageOf(ctx, 'orders', where, input, [{ field: 'createdAt', dir: 'desc' }]);
      const [households, buildings, rounds] = await Promise.all([
        getByIds(
          ctx,
          'households',
          page.items.map((o) => o.householdId),
        ),
        getByIds(
          ctx,
          'buildings',
          page.items.map((o) => o.buildingId),
        ),
        getByIds(
          ctx,
          'rounds',
          page.items.map((o) => o.roundId),
        ),
      ]);
      const hh = new Map(households.map((h) => [h._id, h]));
      const names = new Map(buildings.map((b) => [b._id, b.name]));
      const rs = new Map(rounds.map((r) => [r._id, r]));
      const slip = (o: OrderDoc): OrderSlipView => {
        const round = rs.get(o.roundId) as (typeof rounds)[number] & { deliveryDay?: string | null };
        return {
          orderId: o._id,
          place: `${names.get(o.buildingId) ?? ''} ${o.room}`.trim(),
          headNameMasked: maskName(hh.get(o.householdId)?.headName ?? ''),
          lines: o.lines.map((l) => ({ name: l.name, qty: l.qty, unit: l.unit, priceFen: l.priceFen })),
          totalFen: o.totalFen,
          payment: PAYMENT_MODE_LABELS[o.payment],
          code: o.handoverCode ?? null,
          roundName: round?.name ?? '',
          closesAt: round?.closesAt ? toChinaIso(new Date(round.closesAt)) : null,
          deliveryDay: round?.deliveryDay ?? null,
          status: o.status === 'placing' ? '' : ORDER_STATUS_LABELS[o.status],
          createdAt: toChinaIso(new Date(o.createdAt)),
        };
      };
      return { items: page.items.map(slip), nextCursor: page.nextCursor, total: page.total };
    },
  },

  'testing.householdNeeds': {
    input: z.object({ householdId: id }).strict(),
    async handle(ctx, input) {
      const household = await mustGet(ctx, 'households', input.householdId, '住户');
      await requireGridStaff(ctx, household.gridId);
      return needsView(household, await mustGet(ctx, 'buildings', household.buildingId, '楼栋'));
    },
  },

  'testing.recordNeeds': {
    input: z
      .object({
        householdId: id,
        members: z
          .array(
            z
              .object({
                memberId: id,
                needs: z.array(z.enum(SPECIAL_NEEDS)).max(SPECIAL_NEEDS.length),
                needNote: note(100).optional(),
              })
              .strict(),
          )
          .min(1)
          .max(20),
        consent: z
          .object({ heardFrom: text(20), method: z.enum(CONTACT_METHODS), heardOn: dateString() })
          .strict()
          .optional(),
      })
      .strict(),
    async handle(ctx, input) {
      const household = await mustGet(ctx, 'households', input.householdId, '住户');
      await requireGridStaff(ctx, household.gridId);
      // A household in the app consents (or not) itself; its gridworker does not decide for it.
      if (household.memberOpenids.length > 0)
        throw new AppError('COMMON.CONFLICT', '该户已用微信加入，请住户本人在小程序“我的家庭”里登记并同意');
      const given = new Map(input.members.map((m) => [m.memberId, m]));
      if (given.size !== input.members.length) throw new AppError('COMMON.INVALID_INPUT', '同一位成员只能填写一次');
      for (const memberId of given.keys())
        if (!household.members.some((m) => m.id === memberId))
          throw new AppError('COMMON.NOT_FOUND', '该住户没有这位成员');
      const members = household.members.map((m) => {
        const g = given.get(m.id);
        return g ? { ...m, needs: [...new Set(g.needs)], needNote: g.needNote ?? '' } : m;
      });
      const any = members.some((m) => m.needs.length > 0);
      // Special needs are sensitive (PIPL): stored only beside a consent someone gave and the gridworker heard.
      if (any && !input.consent)
        throw new AppError('PRIVACY.CONSENT_REQUIRED', '登记特殊需求前，请记下是谁、何时、以什么方式同意的', [
          { path: 'consent', message: '请填写同意记录' },
        ]);
      if (input.consent && input.consent.heardOn > chinaDay(ctx.now))
        throw new AppError('COMMON.INVALID_INPUT', '同意日期不能晚于今天', [
          { path: 'consent.heardOn', message: '同意日期不能晚于今天' },
        ]);
      const next = any
        ? {
            members,
            sensitiveConsentAt: ctx.now.toISOString(),
            heardConsent: {
              ...(input.consent as NonNullable<typeof input.consent>),
              recordedBy: ctx.caller.openid,
              recordedAt: ctx.now.toISOString(),
            },
            priority: hasPriority(members),
          }
        : {
            // No needs left: the consent goes with them (a withdrawal), and so do the notes.
            members: members.map((m) => ({ ...m, needs: [], needNote: '' })),
            sensitiveConsentAt: null,
            heardConsent: null,
            priority: false,
          };
      await ctx.db.collection('households').doc(household._id).update(next);
      // Recurring-care records never outlive the consent or the need (as household.update does).
      const keep = any ? members.filter((m) => m.needs.length > 0).map((m) => `${household._id}:${m.id}`) : [];
      const _ = ctx.db.command;
      await ctx.db
        .collection('careNeeds')
        .where({ householdId: household._id, ...(keep.length ? { _id: _.nin(keep) } : {}) })
        .remove();
      const building = await mustGet(ctx, 'buildings', household.buildingId, '楼栋');
      return needsView({ ...household, ...next }, building);
    },
  },
});
