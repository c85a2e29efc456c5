/** Registering (报到), one's own registration, leaving. */
import { next } from '../../../core/state/machine';
import { VOLUNTEER_MACHINE } from '../../../core/state/machines';
import { transition } from '../../lib/transition';
import { maskPhone } from '../../../core/mask';
import { VOLUNTEER_STATUS_TEXT } from '../../../core/volunteer/labels';
import { applyRegistration, registrationIssues } from '../../../core/volunteer/registration';
import type { MyVolunteerView } from '../../../typings/api';
import type { VolunteerDoc } from '../../../typings/entities';
import { getDoc } from '../../lib/access';
import { type CallContext, defineActions } from '../../lib/define-function';
import { releaseJobsOf } from '../../lib/jobs';
import { all } from '../../lib/query';
import { ensureUser } from '../../lib/users';
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
    gridNames: v.gridIds.map((g) => names.get(g) ?? g),
    teamsWished: v.teamsWished,
    skills: v.skills,
    slots: v.slots,
    team: v.team,
    buildingNames: buildings.map((b) => b.name),
    pendingChange: pendingView(v, names),
    capacityKg: v.capacityKg,
    rejectReason: v.rejectReason,
    onDuty: v.onDuty,
    dutySince: v.dutySince,
  };
}

export const registrationActions = defineActions('volunteer', {
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
      })
      .strict(),
    async handle(ctx, input) {
      await ensureUser(ctx);
      const community = await getDoc(ctx, 'communities', input.communityId);
      if (!community) invalid([{ path: 'communityId', message: '请选择报到的社区' }]);
      const names = await gridNames(ctx, community._id);
      const existing = await getDoc(ctx, 'volunteers', ctx.caller.openid);
      const issues = registrationIssues(input, [...names.keys()], existing?.phone);
      if (issues.length) invalid(issues);
      const next = applyRegistration(existing, input, ctx.caller.openid, ctx.now);
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
