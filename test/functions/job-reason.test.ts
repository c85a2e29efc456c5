/** The board's one-line explanation of a job, in a gridworker's words (server/functions/dispatch/views.ts). */
import { jobReason } from '../../server/functions/dispatch/views';
import type { JobStop } from '../../typings/entities';

const stop = (unplaced?: string): JobStop =>
  ({ orderId: 'o1', lines: [], ...(unplaced ? { unplaced } : {}) }) as unknown as JobStop;

describe('jobReason', () => {
  it('an open job nobody on duty could take waits for a grab, with the planner’s words as the detail', () => {
    const why = '该楼栋没有在岗的可派志愿者，请安排志愿者或抢单';
    expect(jobReason({ reason: why, status: 'open', stops: [stop(why)] }, null)).toEqual({
      short: '还没有人接，等在岗志愿者抢单',
      details: [why],
    });
  });

  it('a door no one on duty can carry says so and asks for a hand assignment', () => {
    const why = '15公斤空煤气罐：当前在岗志愿者都无法搬运（最多能搬10公斤），请指派有推车的志愿者';
    expect(jobReason({ reason: why, status: 'open', stops: [stop(why)] }, null)).toEqual({ short: why, details: [] });
  });

  it('a job the gridworker assigned says so', () => {
    expect(jobReason({ reason: '网格员指派', status: 'assigned', stops: [stop()] }, '张三').short).toBe('网格员指派');
  });
});
