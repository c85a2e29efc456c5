/** Whom a household's order travels with: the volunteer carrying it, as the household may contact them. */
import { AppError } from '../../../core/errors';
import { maskName, maskPhone } from '../../../core/mask';
import type { CourierView } from '../../../typings/api';
import { getDoc, requireResident } from '../../lib/access';
import { defineActions } from '../../lib/define-function';
import { z } from '../../lib/validate';
import { id } from './shared';

/** Statuses in which a volunteer has the order (assigned to them, or picked up and on the way). */
const CARRIED = new Set(['assigned', 'pickedUp']);

export const courierActions = defineActions('dispatch', {
  'dispatch.courier': {
    input: z.object({ orderId: id }).strict(),
    async handle(ctx, input): Promise<CourierView> {
      const { household } = await requireResident(ctx);
      const order = await getDoc(ctx, 'orders', input.orderId);
      if (!order || order.householdId !== household._id || order.status === 'placing')
        throw new AppError('COMMON.NOT_FOUND', '没有找到该订单');
      // A gas swap's first leg: the order stays accepted while a collection job fetches the empty.
      const collecting =
        order.status === 'accepted' && order.gas?.collectEmpty === 'pending' && order.gas.collectJobId
          ? order.gas.collectJobId
          : null;
      const jobId = collecting ?? order.jobId;
      const job = jobId ? await getDoc(ctx, 'jobs', jobId) : null;
      const volunteerId = collecting
        ? job && CARRIED.has(job.status)
          ? job.volunteerId
          : null
        : CARRIED.has(order.status)
          ? (job?.volunteerId ?? order.volunteerId ?? null)
          : null;
      const v = volunteerId ? await getDoc(ctx, 'volunteers', volunteerId) : null;
      if (!v) return { assigned: false, nameMasked: null, phoneMasked: null, phone: null };
      // Masked on the page; the number itself only to dial, only while the volunteer carries the order.
      return {
        assigned: true,
        nameMasked: v.name ? maskName(v.name) : '志愿者',
        phoneMasked: v.phone ? maskPhone(v.phone) : null,
        phone: v.phone || null,
      };
    },
  },
});
