import { AppError, ERROR_MESSAGES } from '../../core/errors';
import { seededRng } from '../../core/random';
import { chinaDay, chinaWallClock, toChinaIso } from '../../core/time';

describe('error model', () => {
  it('gives every code a Chinese message', () => {
    for (const [code, message] of Object.entries(ERROR_MESSAGES)) {
      expect(code).toMatch(/^[A-Z]+\.[A-Z_]+$/);
      expect(message).toMatch(/[\u4e00-\u9fa5]/);
    }
  });

  it('turns an expected failure into the envelope, with field issues', () => {
    const error = new AppError('COMMON.INVALID_INPUT', undefined, [{ path: 'room', message: '必填' }]);
    expect(error.toFailure()).toEqual({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
      message: ERROR_MESSAGES['COMMON.INVALID_INPUT'],
      issues: [{ path: 'room', message: '必填' }],
    });
    expect(() => {
      throw new AppError('AUTH.FORBIDDEN', '只有网格员可以派单');
    }).toThrow('只有网格员可以派单');
  });
});

describe('China time (functions run in UTC)', () => {
  it('formats an instant in China time whatever the process zone', () => {
    expect(process.env.TZ).toBe('UTC');
    const at = new Date('2022-08-20T17:30:00Z');
    expect(toChinaIso(at)).toBe('2022-08-21T01:30:00+08:00');
    expect(chinaDay(at)).toBe('2022-08-21');
  });

  it('reads a China wall-clock time as the right instant', () => {
    expect(chinaWallClock('2022-08-21', '08:00').toISOString()).toBe('2022-08-21T00:00:00.000Z');
  });
});

describe('seeded randomness', () => {
  it('repeats for the same seed and differs for another', () => {
    const a = seededRng(7);
    const b = seededRng(7);
    const c = seededRng(8);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
