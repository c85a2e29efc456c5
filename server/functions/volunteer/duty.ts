/** On and off duty, and the signed volunteer card with its verification. */
import { AppError } from '../../../core/errors';
import { maskName } from '../../../core/mask';
import { toChinaIso } from '../../../core/time';
import { signVolunteerCard, verifyVolunteerCard } from '../../../core/volunteer/card';
import { sessionMinutes } from '../../../core/volunteer/hours';
import { TEAM_TEXT, VOLUNTEER_STATUS_TEXT } from '../../../core/volunteer/labels';
import type { DutyLogDoc, VolunteerDoc } from '../../../typings/entities';
import { getDoc } from '../../lib/access';
import { cardKeys } from '../../lib/card-keys';
import { type CallContext, defineActions } from '../../lib/define-function';
import { releaseJobsOf } from '../../lib/jobs';
import { qrDataUrl } from '../../lib/query';
import { findUser } from '../../lib/users';
import { idString, z } from '../../lib/validate';
import { approvedMe, mine } from './shared';

/** A volunteer card is valid this long after it is shown; the checkpoint also checks the status online. */
const CARD_VALID_SECONDS = 24 * 3600;

const VERIFY_TEXT = {
  valid: '有效：本社区在岗志愿者',
  expired: '已过期：请志愿者重新打开志愿者证',
  revoked: '无效：该志愿者已退出或未通过审核',
  invalid: '无效：不是本系统签发的志愿者证',
} as const;

/** Closes the caller's running on-duty session into the duty log; safe to repeat. */
export async function endDuty(ctx: CallContext, v: VolunteerDoc): Promise<void> {
  if (!v.onDuty || !v.dutySince) return;
  const endAt = ctx.now.toISOString();
  const log: Omit<DutyLogDoc, '_id'> = {
    volunteerId: v._id,
    communityId: v.communityId,
    startAt: v.dutySince,
    endAt,
    minutes: sessionMinutes(v.dutySince, endAt),
  };
  // The log's id is the session's: a repeated check-out rewrites the same record.
  await ctx.db
    .collection('dutyLogs')
    .doc(`${v._id}:${Date.parse(v.dutySince)}`)
    .set(log);
  await ctx.db
    .collection('volunteers')
    .where({ _id: v._id, onDuty: true, dutySince: v.dutySince })
    .update({ onDuty: false, dutySince: null, updatedAt: endAt });
}

export const dutyActions = defineActions('volunteer', {
  'volunteer.setDuty': {
    input: z.object({ onDuty: z.boolean() }).strict(),
    async handle(ctx, input) {
      const v = await approvedMe(ctx);
      const at = ctx.now.toISOString();
      if (input.onDuty) {
        if (!v.onDuty) {
          const res = await ctx.db
            .collection('volunteers')
            .where({ _id: v._id, status: 'approved', onDuty: false })
            .update({ onDuty: true, dutySince: at, lastActiveAt: at, updatedAt: at });
          // Checked in twice at once: the first check-in's time stands.
          if (!res.updated) {
            const now = await mine(ctx);
            return { onDuty: now.onDuty, dutySince: now.dutySince, releasedJobs: 0 };
          }
          return { onDuty: true, dutySince: at, releasedJobs: 0 };
        }
        return { onDuty: true, dutySince: v.dutySince, releasedJobs: 0 };
      }
      await endDuty(ctx, v);
      // Also when already off duty: a check-out cut off before this step hands the jobs back now.
      const releasedJobs = await releaseJobsOf(ctx, v._id, '志愿者下岗');
      return { onDuty: false, dutySince: null, releasedJobs };
    },
  },

  'volunteer.card': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const v = await mine(ctx);
      const keys = cardKeys();
      const community = await getDoc(ctx, 'communities', v.communityId);
      const expires = Math.floor(ctx.now.getTime() / 1000) + CARD_VALID_SECONDS;
      const token = signVolunteerCard(
        { k: keys.keyId, o: v._id, n: maskName(v.name), cm: v.communityId, e: expires },
        keys.secret,
      );
      return {
        name: v.name,
        team: v.team,
        teamText: v.team ? TEAM_TEXT[v.team] : '待分配',
        communityName: community?.name ?? '',
        status: v.status,
        statusText: VOLUNTEER_STATUS_TEXT[v.status],
        onDuty: v.onDuty,
        token,
        qr: await qrDataUrl(token),
        validUntil: toChinaIso(new Date(expires * 1000)),
      };
    },
  },

  'volunteer.verifyCard': {
    input: z.object({ token: idString(2000) }).strict(),
    async handle(ctx, input) {
      const user = await findUser(ctx);
      const checker = ['volunteer', 'gridworker', 'groupLeader', 'communityAdmin'] as const;
      if (!user || !checker.some((r) => user.roles.includes(r)))
        throw new AppError('AUTH.FORBIDDEN', '只有卡点值守人员可以查验志愿者证');
      const verdict = verifyVolunteerCard(input.token, cardKeys().publicKeys, ctx.now);
      if (verdict.status === 'invalid') {
        return {
          status: 'invalid',
          text: VERIFY_TEXT.invalid,
          nameMasked: null,
          teamText: null,
          communityName: null,
          onDuty: null,
        };
      }
      const [v, community] = await Promise.all([
        getDoc(ctx, 'volunteers', verdict.claims.o),
        getDoc(ctx, 'communities', verdict.claims.cm),
      ]);
      // A signature proves who; the status online says whether they still serve.
      const status = v?.status !== 'approved' ? 'revoked' : verdict.status;
      return {
        status,
        text: VERIFY_TEXT[status],
        nameMasked: verdict.claims.n,
        teamText: v?.team ? TEAM_TEXT[v.team] : null,
        communityName: community?.name ?? null,
        onDuty: v ? v.onDuty : null,
      };
    },
  },
});
