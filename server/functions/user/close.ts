/**
 * A resident closes their account (注销) — core/privacy/closure.ts decides who may and what goes —
 * and what residents are told about how long their data is kept. The closure runs step by step,
 * each step safe to repeat, the user document last: a closure cut short is finished by tapping
 * again (and a closure that finished answers `closed: false`).
 */
import { AppError } from '../../../core/errors';
import { anonymisedOrder, closureRefusal, householdFate, SETTLED_STATUSES } from '../../../core/privacy/closure';
import { DEFAULT_RETENTION_DAYS } from '../../../core/privacy/purge';
import type { ClosureView, RetentionNotice } from '../../../typings/api';
import type { JobStop, OrderDoc } from '../../../typings/entities';
import { getDoc } from '../../lib/access';
import { defineActions, type UserContext } from '../../lib/define-function';
import { removeAll } from '../../lib/erase';
import { deleteStorageFiles } from '../../lib/files';
import { all } from '../../lib/query';
import { findUser } from '../../lib/users';
import { z } from '../../lib/validate';

/** The orders to anonymise: placed or touched by the person, and all of the household's when it goes. */
function ordersWhere(ctx: UserContext, openid: string, deletedHousehold: string | null): object {
  const _ = ctx.db.command;
  const mine: object[] = [{ placedBy: openid }, { 'history.by': openid }];
  if (deletedHousehold) mine.push({ householdId: deletedHousehold });
  return _.or(mine);
}

/** Anonymises the orders and deletes their photos; answers how many orders and files. */
async function anonymiseOrders(ctx: UserContext, openid: string, orders: OrderDoc[]): Promise<[number, number]> {
  const files = orders.flatMap((o) =>
    [o.medicine?.prescriptionFileId, o.proofFileId].filter((f): f is string => typeof f === 'string' && f.length > 0),
  );
  // The files first: a retry after a crash here meets them gone and clears the references.
  const gone = await deleteStorageFiles(files);
  const who = new Set([openid]);
  for (let i = 0; i < orders.length; i += 16)
    await Promise.all(
      orders.slice(i, i + 16).map((o) => ctx.db.collection('orders').doc(o._id).update(anonymisedOrder(o, who))),
    );
  return [orders.length, gone];
}

export const closeActions = defineActions('user', {
  'user.close': {
    input: z.object({ confirm: z.literal(true) }).strict(),
    async handle(ctx): Promise<ClosureView> {
      const openid = ctx.caller.openid;
      const _ = ctx.db.command;
      const user = await findUser(ctx);
      if (!user) return { closed: false, household: 'none', ordersAnonymised: 0, deleted: {}, files: 0 };
      const [volunteer, household] = await Promise.all([
        getDoc(ctx, 'volunteers', openid),
        user.householdId ? getDoc(ctx, 'households', user.householdId) : Promise.resolve(null),
      ]);
      const mine = household?.memberOpenids.includes(openid) ? household : null;
      const fate = mine ? householdFate(mine.memberOpenids, openid) : 'none';
      const goes = fate === 'deleted' && mine ? mine._id : null;
      const orders = await all(ctx, 'orders', ordersWhere(ctx, openid, goes));
      const refusal = closureRefusal({
        roles: user.roles,
        volunteerStatus: volunteer?.status ?? null,
        activeOrders: orders.filter((o) => !(SETTLED_STATUSES as readonly string[]).includes(o.status)).length,
      });
      if (refusal) throw new AppError(refusal.code, refusal.message);

      const deleted: Record<string, number> = {};
      const count = (collection: string, n: number) => {
        if (n) deleted[collection] = (deleted[collection] ?? 0) + n;
      };
      // 1. Orders: anonymised (kept for the round's accounts), their photos deleted.
      const [anonymised, files] = await anonymiseOrders(ctx, openid, orders);

      // 2. The household: deleted with everything about it, or left.
      if (goes && mine) {
        for (const collection of ['careNeeds', 'samples', 'bookings', 'knocks', 'contacts'] as const)
          count(collection, await removeAll(ctx, collection, { householdId: goes }));
        // The 重点人员 ledger of the household: its daily check-ins first, then the people.
        const keyPersons = await all(ctx, 'keyPersons', { householdId: goes }, { _id: true });
        if (keyPersons.length)
          count(
            'keyPersonChecks',
            await removeAll(ctx, 'keyPersonChecks', { personId: _.in(keyPersons.map((p) => p._id)) }),
          );
        count('keyPersons', await removeAll(ctx, 'keyPersons', { householdId: goes }));
        // Only while nobody else has joined it meanwhile (then it stays, without this person).
        const alone = _.or([
          { memberOpenids: _.size(0) },
          _.and([{ memberOpenids: openid }, { memberOpenids: _.size(1) }]),
        ]);
        count('households', await removeAll(ctx, 'households', _.and([{ _id: goes }, alone])));
        await ctx.db
          .collection('households')
          .doc(goes)
          .update({ memberOpenids: _.pull(openid) });
        const left = await ctx.db.collection('households').where({ gridId: mine.gridId }).count();
        await ctx.db
          .collection('grids')
          .doc(mine.gridId)
          .update({ householdCount: left.total ?? 0 });
      } else if (mine) {
        await ctx.db
          .collection('households')
          .doc(mine._id)
          .update({ memberOpenids: _.pull(openid) });
      }

      // 3. Their OPENID on delivery jobs (told when an order moves).
      const jobs = await all(ctx, 'jobs', { 'stops.notify': openid }, { stops: true });
      for (const job of jobs) {
        const stops = job.stops.map((s: JobStop) => ({ ...s, notify: s.notify.filter((o) => o !== openid) }));
        await ctx.db.collection('jobs').doc(job._id).update({ stops });
      }

      // 4. What is theirs alone.
      count('joinRequests', await removeAll(ctx, 'joinRequests', { openid }));
      count('outbox', await removeAll(ctx, 'outbox', { openid }));
      count('groupMembers', await removeAll(ctx, 'groupMembers', { openid }));
      count('shiftSignups', await removeAll(ctx, 'shiftSignups', { volunteerId: openid }));
      count('dutyLogs', await removeAll(ctx, 'dutyLogs', { volunteerId: openid }));
      count('volunteers', await removeAll(ctx, 'volunteers', { _id: openid, status: _.in(['left', 'rejected']) }));
      await ctx.db
        .collection('shifts')
        .where({ [`seats.${openid}`]: _.exists(true) })
        .update({ [`seats.${openid}`]: _.remove() });
      await ctx.db
        .collection('roleCodes')
        .where({ [`redeemers.${openid}`]: _.exists(true) })
        .update({ [`redeemers.${openid}`]: _.remove() });

      // 5. The account itself, last.
      count('users', await removeAll(ctx, 'users', { _id: openid }));
      return { closed: true, household: fate, ordersAnonymised: anonymised, deleted, files };
    },
  },

  'user.retention': {
    input: z.object({}).strict(),
    async handle(ctx): Promise<RetentionNotice> {
      const user = await findUser(ctx);
      const end = user?.communityId ? await getDoc(ctx, 'emergencyEnds', user.communityId) : null;
      const live = end?.status === 'declared' || end?.status === 'purging';
      return {
        retentionDays: end && end.status !== 'undone' ? end.retentionDays : DEFAULT_RETENTION_DAYS,
        declaredAt: live || end?.status === 'purged' ? (end?.declaredAt ?? null) : null,
        purgeAt: live ? (end?.purgeAt ?? null) : null,
        purgedAt: end?.status === 'purged' ? end.purgedAt : null,
        accessLogDays: end?.retentionDays ?? DEFAULT_RETENTION_DAYS,
      };
    },
  },
});
