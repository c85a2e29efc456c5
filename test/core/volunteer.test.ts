import { readSigned } from '../../core/card/token';
import { publicKeyOf, signCard } from '../../core/card/token';
import { signVolunteerCard, verifyVolunteerCard } from '../../core/volunteer/card';
import { decimalHours, hoursText, MAX_SESSION_MINUTES, sessionMinutes, totalMinutes } from '../../core/volunteer/hours';
import {
  applyRegistration,
  approvalIssues,
  mayManage,
  registrationIssues,
  type RegistrationInput,
} from '../../core/volunteer/registration';
import { cancelDeadline, mayCancel, shiftIssues, signUpRefusal } from '../../core/volunteer/shifts';
import { isIdle, volunteerStats } from '../../core/volunteer/stats';
import type { ShiftDoc, UserDoc, VolunteerDoc } from '../../typings/entities';

const now = new Date('2022-08-20T02:00:00Z'); // 10:00 China time
const input = (over: Partial<RegistrationInput> = {}): RegistrationInput => ({
  name: '次仁卓玛',
  phone: '13912345678',
  partyMember: false,
  workUnit: '退休',
  communityId: 'c',
  gridIds: ['g-01'],
  teamsWished: ['checkpoint'],
  skills: [],
  slots: ['morning'],
  health: { noSymptoms: true, noRiskContact: true, promise: true },
  ...over,
});
const volunteer = (over: Partial<VolunteerDoc> = {}): VolunteerDoc => ({
  ...applyRegistration(null, input(), 'o-1', now),
  status: 'approved',
  team: 'checkpoint',
  ...over,
});
const shift = (over: Partial<ShiftDoc> = {}): ShiftDoc => ({
  _id: 's-1',
  communityId: 'c',
  team: 'checkpoint',
  title: '卡点',
  place: '北门',
  date: '2022-08-21',
  start: '08:00',
  end: '14:00',
  startAt: '2022-08-21T00:00:00.000Z',
  endAt: '2022-08-21T06:00:00.000Z',
  capacity: 2,
  taken: 0,
  seats: {},
  qualifications: [],
  cancelBeforeHours: 2,
  status: 'open',
  createdBy: 'a',
  createdAt: now.toISOString(),
  ...over,
});

describe('registration rules', () => {
  it('accepts a complete form and Tibetan names written in Chinese, with a middle dot', () => {
    expect(registrationIssues(input(), ['g-01'])).toEqual([]);
    expect(registrationIssues(input({ name: '阿旺·次仁' }))).toEqual([]);
  });

  it('names every problem with a Chinese message', () => {
    const issues = registrationIssues(
      input({
        name: '',
        phone: '12345',
        partyMember: true,
        workUnit: ' ',
        gridIds: [],
        teamsWished: [],
        slots: [],
        health: { noSymptoms: true, noRiskContact: false, promise: false },
      }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'name',
      'phone',
      'partyBranch',
      'workUnit',
      'gridIds',
      'teamsWished',
      'slots',
      'health.noRiskContact',
      'health.promise',
    ]);
    expect(issues.every((i) => /[\u4e00-\u9fa5]/.test(i.message))).toBe(true);
    expect(registrationIssues(input({ gridIds: ['g-09'] }), ['g-01'])[0]?.message).toBe('所选网格不属于该社区');
    // Registering again may leave the phone out: the stored number is kept.
    expect(registrationIssues(input({ phone: undefined }))[0]?.path).toBe('phone');
    expect(registrationIssues(input({ phone: undefined }), undefined, '13900001111')).toEqual([]);
    expect(applyRegistration(volunteer({ phone: '13900001111' }), input({ phone: undefined }), 'o-1', now).phone).toBe(
      '13900001111',
    );
  });

  it('registering again keeps an approval for detail edits, restarts review after a change of community or a rejection', () => {
    const approved = volunteer({ buildingIds: ['b-1'], lastActiveAt: 'x' });
    expect(applyRegistration(approved, input({ slots: ['night'] }), 'o-1', now)).toMatchObject({
      status: 'approved',
      team: 'checkpoint',
      buildingIds: ['b-1'],
      slots: ['night'],
    });
    expect(applyRegistration(approved, input({ communityId: 'c2' }), 'o-1', now)).toMatchObject({
      status: 'pending',
      team: null,
      buildingIds: [],
      lastActiveAt: 'x',
    });
    const rejected = { ...approved, status: 'rejected' as const, rejectReason: '无' };
    expect(applyRegistration(rejected, input(), 'o-1', now)).toMatchObject({
      status: 'pending',
      rejectReason: null,
      createdAt: approved.createdAt,
    });
    expect(
      applyRegistration(
        null,
        input({ partyMember: false, partyBranch: '一支部', gridIds: ['g-1', 'g-1'] }),
        'o-1',
        now,
      ),
    ).toMatchObject({ partyBranch: null, gridIds: ['g-1'] });
  });

  it('lets the community admin and the gridworkers of the volunteer’s grids manage them', () => {
    const user = (roles: UserDoc['roles'], communityId: string, adminGridIds: string[]) => ({
      roles,
      communityId,
      adminGridIds,
    });
    const v = { communityId: 'c', gridIds: ['g-01', 'g-02'] };
    expect(mayManage(user(['communityAdmin'], 'c', []), v)).toBe(true);
    expect(mayManage(user(['communityAdmin'], 'other', []), v)).toBe(false);
    expect(mayManage(user(['gridworker'], 'c', ['g-02']), v)).toBe(true);
    expect(mayManage(user(['gridworker'], 'c', ['g-03']), v)).toBe(false);
    expect(mayManage(user(['groupLeader'], 'c', ['g-01']), v)).toBe(false);
    expect(mayManage(user(['volunteer'], 'c', []), v)).toBe(false);
    expect(mayManage(null, v)).toBe(false);
  });

  it('requires a team on approval and buildings of the volunteer’s grids', () => {
    expect(approvalIssues({ team: 'delivery', buildingIds: ['b-1'], capacityKg: 15 }, ['b-1'])).toEqual([]);
    expect(approvalIssues({ buildingIds: ['b-9'], capacityKg: 80 }, ['b-1']).map((i) => i.path)).toEqual([
      'team',
      'buildingIds',
      'capacityKg',
    ]);
  });
});

describe('shift rules', () => {
  it('validates the definition', () => {
    expect(
      shiftIssues({ date: '2022-08-21', start: '08:00', end: '14:00', capacity: 4, cancelBeforeHours: 2 }),
    ).toEqual([]);
    expect(
      shiftIssues({ date: '21/8', start: '8点', end: '07:00', capacity: 0, cancelBeforeHours: 100 }).map((i) => i.path),
    ).toEqual(['date', 'start', 'capacity', 'cancelBeforeHours']);
    expect(
      shiftIssues({ date: '2022-08-21', start: '14:00', end: '08:00', capacity: 1, cancelBeforeHours: 0 })[0]?.message,
    ).toBe('结束时间应晚于开始时间');
  });

  it('refuses sign-up for the wrong team, missing qualifications, a full, started or cancelled shift', () => {
    expect(signUpRefusal(volunteer(), shift(), now)).toBeNull();
    expect(signUpRefusal(volunteer({ team: 'delivery', teamsWished: ['checkpoint'] }), shift(), now)).toBeNull();
    expect(signUpRefusal(volunteer({ team: 'delivery', teamsWished: ['delivery'] }), shift(), now)?.code).toBe(
      'VOLUNTEER.NOT_QUALIFIED',
    );
    expect(signUpRefusal(volunteer(), shift({ qualifications: ['medical', 'driving'] }), now)?.message).toBe(
      '该班次需要：医护、驾驶皮卡',
    );
    expect(signUpRefusal(volunteer(), shift({ taken: 2 }), now)?.code).toBe('VOLUNTEER.SHIFT_FULL');
    // Already seated: not full for them (signing up again changes nothing).
    expect(signUpRefusal(volunteer(), shift({ taken: 2, seats: { 'o-1': 'x' } }), now)).toBeNull();
    expect(signUpRefusal(volunteer(), shift({ startAt: now.toISOString() }), now)?.code).toBe('VOLUNTEER.SHIFT_CLOSED');
    expect(signUpRefusal(volunteer(), shift({ status: 'cancelled' }), now)?.code).toBe('VOLUNTEER.SHIFT_CLOSED');
    expect(signUpRefusal(volunteer({ status: 'pending' }), shift(), now)?.code).toBe('AUTH.NOT_VOLUNTEER');
    expect(signUpRefusal(volunteer({ communityId: 'other' }), shift(), now)?.code).toBe('AUTH.NOT_VOLUNTEER');
  });

  it('allows giving a seat back until the deadline before the start', () => {
    const s = shift({ startAt: '2022-08-20T04:00:00.000Z', cancelBeforeHours: 2 });
    expect(cancelDeadline(s).toISOString()).toBe('2022-08-20T02:00:00.000Z');
    expect(mayCancel(s, now)).toBe(true);
    expect(mayCancel(s, new Date(now.getTime() + 1000))).toBe(false);
  });
});

describe('hours', () => {
  it('counts whole minutes, caps a forgotten check-out, counts a running session up to now', () => {
    expect(sessionMinutes('2022-08-20T00:00:00Z', '2022-08-20T01:35:59Z')).toBe(95);
    expect(sessionMinutes('2022-08-20T00:00:00Z', '2022-08-22T00:00:00Z')).toBe(MAX_SESSION_MINUTES);
    expect(sessionMinutes('2022-08-20T02:00:00Z', '2022-08-20T01:00:00Z')).toBe(0);
    const sessions = [
      { startAt: '2022-08-19T00:00:00Z', endAt: '2022-08-19T02:00:00Z' },
      { startAt: '2022-08-20T01:30:00Z', endAt: null },
    ];
    expect(totalMinutes(sessions, now)).toBe(150);
    expect(totalMinutes(sessions, now, { from: '2022-08-20T00:00:00Z' })).toBe(30);
    expect(totalMinutes(sessions, now, { to: '2022-08-20T00:00:00Z' })).toBe(120);
    expect(hoursText(95)).toBe('1小时35分钟');
    expect(hoursText(120)).toBe('2小时');
    expect(hoursText(0)).toBe('0分钟');
    expect(decimalHours(95)).toBe(1.6);
  });
});

describe('statistics', () => {
  it('counts teams, party share among the approved, on duty now and idle volunteers oldest first', () => {
    const list = [
      volunteer({ _id: 'a', team: 'delivery', onDuty: true, partyMember: true, lastActiveAt: 'x' }),
      volunteer({
        _id: 'b',
        team: 'delivery',
        partyMember: false,
        lastActiveAt: null,
        createdAt: '2022-08-19T00:00:00Z',
      }),
      volunteer({
        _id: 'c',
        team: 'checkpoint',
        partyMember: true,
        lastActiveAt: null,
        createdAt: '2022-08-18T00:00:00Z',
      }),
      volunteer({ _id: 'd', status: 'pending', team: null, partyMember: true, lastActiveAt: null }),
      volunteer({ _id: 'e', status: 'left', onDuty: false, lastActiveAt: null }),
    ];
    const stats = volunteerStats(list);
    expect(stats.byStatus).toEqual({ pending: 1, approved: 3, rejected: 0, left: 1 });
    expect(stats.partyMembers).toBe(2);
    expect(stats.partyShare).toBeCloseTo(2 / 3);
    expect(stats.onDutyNow).toBe(1);
    expect(stats.byTeam.find((t) => t.team === 'delivery')).toEqual({ team: 'delivery', approved: 2, onDuty: 1 });
    expect(stats.idle.map((v) => v._id)).toEqual(['c', 'b']);
    expect(isIdle(list[3]!)).toBe(false);
    expect(volunteerStats([]).partyShare).toBe(0);
  });
});

describe('volunteer card token', () => {
  const secret = new Uint8Array(32).fill(7);
  const keys = { k1: publicKeyOf(secret) };
  it('verifies offline, expires, and is never mistaken for a sampled card', () => {
    const token = signVolunteerCard({ k: 'k1', o: 'o-1', n: '次**玛', cm: 'c', e: now.getTime() / 1000 + 60 }, secret);
    expect(verifyVolunteerCard(token, keys, now)).toMatchObject({ status: 'valid', claims: { o: 'o-1', n: '次**玛' } });
    expect(verifyVolunteerCard(token, keys, new Date(now.getTime() + 61_000)).status).toBe('expired');
    expect(verifyVolunteerCard(token, { k1: publicKeyOf(new Uint8Array(32).fill(8)) }, now).status).toBe('invalid');
    expect(verifyVolunteerCard(`${token}x`, keys, now).status).toBe('invalid');
    expect('claims' in readSigned(token, keys)).toBe(true);
    const sampled = signCard({ k: 'k1', r: 'r', s: 's', h: 'h', g: 'g', m: 'm', n: 'n', t: 0, e: 2e9 }, secret);
    expect(verifyVolunteerCard(sampled, keys, now).status).toBe('invalid');
  });
});
