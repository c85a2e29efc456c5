/** Invitation codes for roles: creating, listing, revoking, redeeming. */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../core/errors';
import { CODE_ALPHABET, codeRefusal, isGridRole, withRole } from '../../../core/org/roles';
import type { RoleCodeView } from '../../../typings/api';
import type { RoleCodeDoc } from '../../../typings/entities';
import { getDoc, mustGet } from '../../lib/access';
import { type CallContext, defineActions } from '../../lib/define-function';
import { ensureUser, requireAdmin } from '../../lib/users';
import { text, z } from '../../lib/validate';
import { all, pageFields, pageOf } from '../../lib/query';
import { grant } from './roles';
import { addOnce, gridOf, id, role } from './shared';

function newCode(): string {
  return Array.from(randomBytes(8), (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

async function codeViews(ctx: CallContext, codes: RoleCodeDoc[]): Promise<RoleCodeView[]> {
  const _ = ctx.db.command;
  const gridIds = [...new Set(codes.map((c) => c.gridId).filter((g): g is string => Boolean(g)))];
  const grids = gridIds.length ? await all(ctx, 'grids', { _id: _.in(gridIds) }) : [];
  const names = new Map(grids.map((g) => [g._id, g.name]));
  return codes.map((c) => ({
    code: c._id,
    role: c.role,
    gridId: c.gridId,
    gridName: c.gridId ? (names.get(c.gridId) ?? null) : null,
    maxUses: c.maxUses,
    used: c.used,
    revoked: c.revoked,
    expiresAt: c.expiresAt,
  }));
}

const REFUSAL_TEXT = {
  revoked: '邀请码已被管理员作废',
  expired: '邀请码已过期，请向社区管理员重新获取',
  usedUp: '邀请码的使用次数已用完',
} as const;

export const codeActions = defineActions('org', {
  'org.createCode': {
    input: z
      .object({
        role,
        gridId: id.optional(),
        maxUses: z.number().int().min(1).max(500),
        days: z.number().int().min(1).max(30),
      })
      .strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      if (isGridRole(input.role) && !input.gridId)
        throw new AppError('COMMON.INVALID_INPUT', '网格员和组长的邀请码需要指定网格');
      const gridId = isGridRole(input.role) ? (await gridOf(ctx, admin.communityId, input.gridId as string))._id : null;
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const code: RoleCodeDoc = {
          _id: newCode(),
          communityId: admin.communityId,
          role: input.role,
          gridId,
          maxUses: input.maxUses,
          used: 0,
          redeemers: {},
          revoked: false,
          createdBy: ctx.caller.openid,
          createdAt: ctx.now.toISOString(),
          expiresAt: new Date(ctx.now.getTime() + input.days * 24 * 3600_000).toISOString(),
        };
        if (await addOnce(ctx, 'roleCodes', code)) return (await codeViews(ctx, [code]))[0] as RoleCodeView;
      }
      throw new AppError('COMMON.INTERNAL');
    },
  },

  'org.codes': {
    input: z.object({ ...pageFields }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const page = await pageOf(ctx, 'roleCodes', { communityId: admin.communityId }, input, [
        { field: 'createdAt', dir: 'desc' },
      ]);
      return { items: await codeViews(ctx, page.items), nextCursor: page.nextCursor, total: page.total };
    },
  },

  'org.revokeCode': {
    input: z.object({ code: text(16, 4) }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const code = await getDoc(ctx, 'roleCodes', input.code.toUpperCase());
      if (!code || code.communityId !== admin.communityId) throw new AppError('COMMON.NOT_FOUND', '没有找到该邀请码');
      await ctx.db.collection('roleCodes').doc(code._id).update({ revoked: true });
      return (await codeViews(ctx, [{ ...code, revoked: true }]))[0] as RoleCodeView;
    },
  },

  'org.redeemCode': {
    input: z.object({ code: text(16, 4) }).strict(),
    async handle(ctx, input) {
      const user = await ensureUser(ctx);
      const codeId = input.code.replace(/\s+/g, '').toUpperCase();
      const code = await getDoc(ctx, 'roleCodes', codeId);
      if (!code) throw new AppError('ORG.CODE_INVALID');
      withRole(user, code.role, code.communityId, code.gridId ? [code.gridId] : []); // another community: refused before counting
      const me = ctx.caller.openid;
      let fresh = false;
      const refusal = codeRefusal(code, me, ctx.now);
      if (refusal && refusal !== 'already') throw new AppError('ORG.CODE_INVALID', REFUSAL_TEXT[refusal]);
      if (!refusal) {
        const _ = ctx.db.command;
        // One conditional write counts the use and records the person: never over the limit,
        // never twice for the same person, whatever the concurrency.
        const claim = await ctx.db
          .collection('roleCodes')
          .where({
            _id: code._id,
            revoked: false,
            used: _.lt(code.maxUses),
            expiresAt: _.gt(ctx.now.toISOString()),
            [`redeemers.${me}`]: _.exists(false),
          })
          .update({ used: _.inc(1), [`redeemers.${me}`]: ctx.now.toISOString() });
        if (claim.updated) fresh = true;
        else {
          const again = await mustGet(ctx, 'roleCodes', code._id, '邀请码');
          const why = codeRefusal(again, me, ctx.now);
          if (why !== 'already') throw new AppError('ORG.CODE_INVALID', why ? REFUSAL_TEXT[why] : undefined);
        }
      }
      // Granting is idempotent: a retry after a crash here finishes what the claim paid for.
      await grant(ctx, user, code.role, code.communityId, code.gridId ? [code.gridId] : []);
      const community = await getDoc(ctx, 'communities', code.communityId);
      return { role: code.role, gridId: code.gridId, communityName: community?.name ?? '', fresh };
    },
  },
});
