/** The community's subscribe messages and where each is: queued, sending, sent, retrying, failed (read-only). */
import type { OutboxItemView, OutboxPage } from '../../../typings/api';
import type { OutboxDoc } from '../../../typings/entities';
import { OUTBOX_STATUSES, OUTBOX_STATUS_LABELS, SUBSCRIBE_TEMPLATE_LABELS } from '../../../typings/values';
import { defineActions } from '../../lib/define-function';
import { pageFields, pageOf } from '../../lib/query';
import { requireAdmin } from '../../lib/users';
import { z } from '../../lib/validate';
import { usersById } from './shared';

/** The message's fields in a line, as queued (server/lib/messages.ts `MessageFields`; the time is shown apart). */
function summary(msg: OutboxDoc): string {
  return Object.entries(msg.data ?? {})
    .filter(([field, value]) => field !== 'time' && typeof value === 'string' && value.trim())
    .map(([, value]) => value)
    .join(' · ');
}

export const outboxActions = defineActions('org', {
  'org.outbox': {
    input: z.object({ status: z.enum(OUTBOX_STATUSES).optional(), ...pageFields }).strict(),
    async handle(ctx, input): Promise<OutboxPage> {
      const admin = await requireAdmin(ctx);
      const mine = { communityId: admin.communityId };
      const where = input.status ? { ...mine, status: input.status } : mine;
      const [page, ...counts] = await Promise.all([
        pageOf(ctx, 'outbox', where, input, [{ field: 'createdAt', dir: 'desc' }]),
        ...OUTBOX_STATUSES.map(
          async (status) =>
            (
              await ctx.db
                .collection('outbox')
                .where({ ...mine, status })
                .count()
            ).total ?? 0,
        ),
      ]);
      const users = await usersById(ctx, [...new Set(page.items.map((m) => m.openid))]);
      const items: OutboxItemView[] = page.items.map((m) => ({
        id: m._id,
        kind: m.template,
        kindText: SUBSCRIBE_TEMPLATE_LABELS[m.template] ?? m.template,
        recipient: users.get(m.openid)?.nickName || '已注销用户',
        summary: summary(m),
        status: m.status,
        statusText: OUTBOX_STATUS_LABELS[m.status] ?? m.status,
        attempts: m.attempts ?? 0,
        createdAt: m.createdAt,
        nextAttemptAt: m.status === 'queued' || m.status === 'retrying' ? m.nextAttemptAt : null,
        sentAt: m.sentAt,
        error: m.error,
      }));
      return {
        items,
        nextCursor: page.nextCursor,
        total: page.total,
        counts: Object.fromEntries(OUTBOX_STATUSES.map((s, i) => [s, counts[i] ?? 0])) as OutboxPage['counts'],
      };
    },
  },
});
