import { toChinaIso } from '../../../core/time';
import { isLocal } from '../../lib/cloud';
import { defineFunction } from '../../lib/define-function';
import { z } from '../../lib/validate';

/** Liveness and clock: the one public function. */
export const main = defineFunction('system', {
  'system.health': {
    public: true,
    input: z.object({}).strict(),
    async handle(ctx) {
      return { status: 'ok', now: toChinaIso(ctx.now), runtime: isLocal() ? 'local' : 'cloudbase' };
    },
  },
});
