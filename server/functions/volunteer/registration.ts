/** Registering (报到), one's own registration, leaving. */
import { next } from '../../../core/state/machine';
import { VOLUNTEER_MACHINE } from '../../../core/state/machines';
import { transition } from '../../lib/transition';
import { maskPhone } from '../../../core/mask';
import { carryCapacityKg, HAND_KG_MAX, HAND_KG_MIN } from '../../../core/jobs';
import { CARRY_AIDS } from '../../../typings/values';
import { VOLUNTEER_STATUS_TEXT } from '../../../core/volunteer/labels';
import { applyRegistration, registrationIssues } from '../../../core/volunteer/registration';
import type { MyVolunteerView, VolunteerPrefillView } from '../../../typings/api';
import type { HouseholdDoc, UserDoc, VolunteerDoc } from '../../../typings/entities';
import { getDoc } from '../../lib/access';
import { type CallContext, defineActions, type UserContext } from '../../lib/define-function';
import { releaseJobsOf } from '../../lib/jobs';
import { all } from '../../lib/query';
import { ensureUser, findUser } from '../../lib/users';
import { note, text, z } from '../../lib/validate';
import { endDuty } from './duty';
import { pendingView } from './review';
import { gridNames, id, invalid, mine, skill, slot, team } from './shared';
import { freeSeat } from './shifts';

async function myView(ctx: CallContext, v: VolunteerDoc): Promise<MyVolunteerView> {
  const _ = ctx.db.command;
  const [community, names, buildings] = await Promise.all([
    getDoc(ctx, 'communities', v.communityId),
    gridNames(ctx, v.communityId),
    v.buildingIds.length ? all(ctx, 'buildings', { _id: _.in(v.buildingIds) }) : Promise.resolve([]),
  ]);
  return {
    status: v.status,
    statusText: VOLUNTEER_STATUS_TEXT[v.status],
    name: v.name,
    phoneMasked: maskPhone(v.phone),
    partyMember: v.partyMember,
    partyBranch: v.partyBranch,
    workUnit: v.workUnit,
    communityId: v.communityId,
    communityName: community?.name ?? '',
    gridIds: v.gridIds,
    gridNames: v.gridIds.map((g) => names.get(g) ?? '（已撤销的网格）'),
    teamsWished: v.teamsWished,
    skills: v.skills,
    slots: v.slots,
    team: v.team,
    buildingNames: buildings.map((b) => b.name),
    pendingChange: pendingView(v, names),
    capacityKg: v.capacityKg,
    carry: v.carry ?? null,
    rejectReason: v.rejectReason,
    onDuty: v.onDuty,
    dutySince: v.dutySince,
  };
}

/** What the app already knows of the caller: their name, phone and household (a resident's). */
async function knownOf(ctx: UserContext, user: UserDoc | null) {
  const household: HouseholdDoc | null = user?.householdId ? await getDoc(ctx, 'households', user.householdId) : null;
  const ownHousehold = household?.memberOpenids.includes(ctx.caller.openid) ? household : null;
  // The head of the household is the one whose phone the household has.
  const isHead = ownHousehold !== null && ownHousehold.memberOpenids[0] === ctx.caller.openid;
  const nick = user?.nickName && user.nickName !== '微信用户' ? user.nickName : '';
  return {
    name: nick || (isHead ? ownHousehold.headName : ''),
    phone: user?.phone ?? (isHead ? ownHousehold.phone : null) ?? null,
    communityId: user?.communityId ?? ownHousehold?.communityId ?? null,
    gridId: ownHousehold?.gridId ?? user?.adminGridIds[0] ?? null,
  };
}

export const registrationActions = defineActions('volunteer', {
  'volunteer.prefill': {
    input: z.object({}).strict(),
    async handle(ctx): Promise<VolunteerPrefillView> {
      const known = await knownOf(ctx, await findUser(ctx));
      return {
        name: known.name,
        phoneMasked: known.phone ? maskPhone(known.phone) : null,
        communityId: known.communityId,
        gridId: known.gridId,
      };
    },
  },

  'volunteer.register': {
    input: z
      .object({
        name: text(40, 1, '请填写真实姓名'),
        phone: note(20).optional(),
        partyMember: z.boolean(),
        partyBranch: note(40).optional(),
        workUnit: note(60),
        communityId: id,
        gridIds: z.array(id).max(30),
        teamsWished: z.array(team).max(6),
        skills: z.array(skill).max(3),
        slots: z.array(slot).max(4),
        health: z.object({ noSymptoms: z.boolean(), noRiskContact: z.boolean(), promise: z.boolean() }).strict(),
        carry: z
          .object({
            handKg: z
              .number()
              .int('请填写整数公斤')
              .min(HAND_KG_MIN, `徒手能搬的重量应在 ${HAND_KG_MIN}–${HAND_KG_MAX} 公斤之间`)
              .max(HAND_KG_MAX, `徒手能搬的重量应在 ${HAND_KG_MIN}–${HAND_KG_MAX} 公斤之间`),
            aid: z.enum(CARRY_AIDS),
          })
          .strict()
          .optional(),
      })
      .strict(),
    async handle(ctx, input) {
      const user = await ensureUser(ctx);
      const community = await getDoc(ctx, 'communities', input.communityId);
      if (!community) invalid([{ path: 'communityId', message: '请选择报到的社区' }]);
      const names = await gridNames(ctx, community._id);
      const existing = await getDoc(ctx, 'volunteers', ctx.caller.openid);
      // A phone left empty is the one already on record: the registration's, else the one the app knows.
      const storedPhone = existing?.phone || (input.phone?.trim() ? null : (await knownOf(ctx, user)).phone);
      const issues = registrationIssues(input, [...names.keys()], storedPhone ?? undefined);
      if (issues.length) invalid(issues);
      const { carry, ...form } = input;
      const next = applyRegistration(
        existing,
        { ...form, phone: input.phone?.trim() || storedPhone || undefined },
        ctx.caller.openid,
        ctx.now,
      );
      // What they can carry, declared (and changed later) by the volunteer: the dispatch's capacity per trip.
      if (carry) {
        next.carry = carry;
        next.capacityKg = carryCapacityKg(carry);
      } else if (existing?.carry && next.carry === undefined) next.carry = existing.carry;
      if (next.buildingIds.length) {
        // Buildings assigned before stay only if they are in the grids the volunteer still serves.
        const _ = ctx.db.command;
        const kept = await all(ctx, 'buildings', { _id: _.in(next.buildingIds), gridId: _.in(next.gridIds) });
        next.buildingIds = kept.map((b) => b._id);
      }
      const { _id, ...rest } = next;
      // One document per person (its id is the OPENID): registering again updates it.
      await ctx.db.collection('volunteers').doc(_id).set(rest);
      return myView(ctx, next);
    },
  },

  'volunteer.me': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const v = await getDoc(ctx, 'volunteers', ctx.caller.openid);
      return v ? myView(ctx, v) : null;
    },
  },

  'volunteer.leave': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const v = await mine(ctx);
      const _ = ctx.db.command;
      if (next(VOLUNTEER_MACHINE, v.status, 'leave', 'volunteer')) {
        await endDuty(ctx, v);
        const at = ctx.now.toISOString();
        await transition(ctx.db, 'volunteers', { _id: v._id }, VOLUNTEER_MACHINE, 'leave', 'volunteer', {
          onDuty: false,
          dutySince: null,
          leftAt: at,
          updatedAt: at,
        });
        await ctx.db
          .collection('users')
          .where({ _id: v._id })
          .update({ roles: _.pull('volunteer') });
      }
      // Whatever they held goes back: delivery jobs not picked up, seats of shifts still to come.
      await releaseJobsOf(ctx, v._id, '志愿者退出');
      const seats = await all(ctx, 'shiftSignups', {
        volunteerId: v._id,
        status: 'active',
        startAt: _.gt(ctx.now.toISOString()),
      });
      for (const s of seats) await freeSeat(ctx, s.shiftId, v._id);
      return myView(ctx, (await getDoc(ctx, 'volunteers', v._id)) ?? v);
    },
  },
});
