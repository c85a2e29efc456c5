/** Contact and care: today's contacts, the special-needs ledger. */
import { CONTACT_METHODS } from '../../../typings/values';
import { AppError } from '../../../core/errors';
import { maskName } from '../../../core/mask';
import { careStatus } from '../../../core/org/dashboard';
import { chinaDay } from '../../../core/time';
import type { CareLedgerRow } from '../../../typings/api';
import type { CareDoc, ContactDoc } from '../../../typings/entities';
import { getDoc, mustGet, requireGridStaff } from '../../lib/access';
import { defineActions } from '../../lib/define-function';
import { note, dateString, z } from '../../lib/validate';
import { id } from './shared';

export const careActions = defineActions('grid', {
  'grid.recordContact': {
    input: z.object({ householdId: id, method: z.enum(CONTACT_METHODS), note: note(100).optional() }).strict(),
    async handle(ctx, input) {
      const household = await mustGet(ctx, 'households', input.householdId, '住户');
      await requireGridStaff(ctx, household.gridId);
      const day = chinaDay(ctx.now);
      // One record per household per day: recording again keeps the latest (a retry changes nothing).
      const contact: Omit<ContactDoc, '_id'> = {
        gridId: household.gridId,
        householdId: household._id,
        day,
        method: input.method,
        note: input.note ?? '',
        by: ctx.caller.openid,
        at: ctx.now.toISOString(),
      };
      await ctx.db.collection('contacts').doc(`${day}:${household._id}`).set(contact);
      return { householdId: household._id, day };
    },
  },

  'grid.saveCare': {
    input: z
      .object({
        householdId: id,
        memberId: id,
        dialysisWeekdays: z.array(z.number().int().min(1).max(7)).max(7),
        refillEveryDays: z.number().int().min(0).max(180),
        lastRefillOn: dateString().nullable(),
        note: note(100).optional(),
      })
      .strict(),
    async handle(ctx, input): Promise<CareLedgerRow> {
      const household = await mustGet(ctx, 'households', input.householdId, '住户');
      await requireGridStaff(ctx, household.gridId);
      // Recurring needs are special-needs data: kept only under the household's separate consent.
      if (!household.sensitiveConsentAt)
        throw new AppError('PRIVACY.CONSENT_REQUIRED', '该户未同意登记特殊人群信息，不能记录');
      const member = household.members.find((m) => m.id === input.memberId);
      if (!member) throw new AppError('COMMON.NOT_FOUND', '该住户没有这位成员');
      if (member.needs.length === 0) throw new AppError('COMMON.INVALID_INPUT', '这位成员没有登记特殊需求');
      const today = chinaDay(ctx.now);
      if (input.lastRefillOn && input.lastRefillOn > today)
        throw new AppError('COMMON.INVALID_INPUT', '上次取药日期不能晚于今天');
      const care: Omit<CareDoc, '_id'> = {
        communityId: household.communityId,
        gridId: household.gridId,
        householdId: household._id,
        memberId: member.id,
        dialysisWeekdays: [...new Set(input.dialysisWeekdays)].sort((a, b) => a - b),
        refillEveryDays: input.refillEveryDays,
        lastRefillOn: input.lastRefillOn,
        note: input.note ?? '',
        updatedBy: ctx.caller.openid,
        updatedAt: ctx.now.toISOString(),
      };
      await ctx.db.collection('careNeeds').doc(`${household._id}:${member.id}`).set(care);
      const building = await getDoc(ctx, 'buildings', household.buildingId);
      return {
        householdId: household._id,
        memberId: member.id,
        buildingName: building?.name ?? '',
        room: household.room,
        nameMasked: maskName(member.name),
        needs: member.needs,
        ...careStatus(care, today),
      };
    },
  },
});
