import { SUBSCRIBE_TEMPLATES } from '../../../typings/values';
import type { UserDoc } from '../../../typings/entities';
import { getDoc } from '../../lib/access';
import { defineFunction, type UserContext } from '../../lib/define-function';
import { ensureUser } from '../../lib/users';
import { z } from '../../lib/validate';
import { closeActions } from './close';
import { homeActions } from './home';

/** Roles that may record samples in their community or grids (as testing/samples.ts `maySample` decides). */
const SAMPLING_ROLES = ['sampler', 'gridworker', 'groupLeader', 'communityAdmin'] as const;

/**
 * Whether the caller may record samples (采样登记): a sampling role, or a volunteer approved in
 * the testing team of their community. Read only for volunteers without such a role.
 */
async function samplerOf(ctx: UserContext, user: UserDoc): Promise<{ sampler: boolean }> {
  if (!user.communityId) return { sampler: false };
  if (SAMPLING_ROLES.some((r) => user.roles.includes(r))) return { sampler: true };
  if (!user.roles.includes('volunteer')) return { sampler: false };
  const v = await getDoc(ctx, 'volunteers', user._id);
  return { sampler: v?.status === 'approved' && v.team === 'testing' && v.communityId === user.communityId };
}

/** Who the caller is and what they may do; their subscribe-message grants; closing the account (注销). */
export const main = defineFunction('user', {
  ...closeActions,
  ...homeActions,
  'user.me': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const user = await ensureUser(ctx);
      return {
        ...(await samplerOf(ctx, user)),
        openid: user._id,
        nickName: user.nickName,
        roles: user.roles,
        communityId: user.communityId,
        adminGridIds: user.adminGridIds,
        householdId: user.householdId,
      };
    },
  },

  'user.subscribe': {
    // Called only after wx.requestSubscribeMessage answered `accept` for these templates.
    input: z.object({ templates: z.array(z.enum(SUBSCRIBE_TEMPLATES)).min(1).max(3) }).strict(),
    // One request: the grant counted on the caller's user document if it exists (it almost always
    // does: the page asking has called user.me); else the user is created first and counted then.
    async handle(ctx, input) {
      const _ = ctx.db.command;
      const accepted = [...new Set(input.templates)];
      const grant = () =>
        ctx.db
          .collection('users')
          .doc(ctx.caller.openid)
          .update({ subscriptions: Object.fromEntries(accepted.map((t) => [t, _.inc(1)])) });
      if ((await grant()).updated) return { accepted };
      await ensureUser(ctx);
      await grant();
      return { accepted };
    },
  },
});
