import { defineFunction } from '../../lib/define-function';
import { ensureUser } from '../../lib/users';
import { z } from '../../lib/validate';

/** Who the caller is and what they may do. */
export const main = defineFunction('user', {
  'user.me': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const user = await ensureUser(ctx);
      return {
        openid: user._id,
        nickName: user.nickName,
        roles: user.roles,
        communityId: user.communityId,
        adminGridIds: user.adminGridIds,
        householdId: user.householdId,
      };
    },
  },
});
