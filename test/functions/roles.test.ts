/** @jest-environment node */
/**
 * The role matrix: every action of every cloud function, called by every role (and with no
 * identity), is allowed or refused with the right code. The table is a `Record` over the contract's
 * action names, so a new action does not type-check until it has a row here.
 *
 * Every row gets its own fresh people for each role (a resident of a household of 第1网格, an
 * approved delivery volunteer of 第1网格, a gridworker and a group leader of 第1网格, the community's
 * admin), so what one row does (leaving, revoking, closing) cannot change what the next row sees.
 * `ok` means the call succeeded; `in` means it passed the role check (it may still fail for a
 * business reason such as a closed round — any code but the AUTH ones); otherwise the exact code.
 */
import { chinaDayAfter } from '../../miniprogram/utils/format';
import type { ActionName, ErrorCode, Req } from '../../typings/api';
import type { Grid, HouseholdDoc, JobDoc, VolunteerDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

type Who = 'none' | 'resident' | 'volunteer' | 'gridworker' | 'groupLeader' | 'communityAdmin';
const WHO: Who[] = ['none', 'resident', 'volunteer', 'gridworker', 'groupLeader', 'communityAdmin'];
/** What a role gets: `ok`, `in` (past the role check), or the refusal's code. */
type Verdict = 'ok' | 'in' | ErrorCode;
/** One verdict per role, in the order of WHO. */
type Verdicts = [Verdict, Verdict, Verdict, Verdict, Verdict, Verdict];

/** The fixed things rows refer to, made once. */
interface World {
  communityId: string;
  gridId: string;
  otherGridId: string;
  household: HouseholdDoc;
  orderId: string;
  /** An order of the same household for the cancel/confirm rows. */
  spareOrderId: string;
  testRoundId: string;
  orderRoundId: string;
  joinRequestId: string;
  shiftId: string;
  jobId: string;
  applicantId: string;
  roleCode: string;
  spareCode: string;
  spareTestRoundId: string;
  spareShiftId: string;
  volunteerToken: string;
  cardToken: string;
  /** People of this row, by role. */
  me: Record<Exclude<Who, 'none'>, string>;
}

interface Row<A extends ActionName> {
  payload: (w: World) => Req<A>;
  expect: Verdicts;
  requestId?: boolean;
  /** Puts this row's people in place first (e.g. gives its volunteer the job). */
  setup?: (w: World) => Promise<unknown>;
}

const NO = 'AUTH.NO_IDENTITY' as const;
const ADMIN = 'AUTH.NOT_ADMIN' as const;
const GW = 'AUTH.NOT_GRIDWORKER' as const;
const FORBID = 'AUTH.FORBIDDEN' as const;
const MEMBER = 'AUTH.NOT_MEMBER' as const;
const VOL = 'AUTH.NOT_VOLUNTEER' as const;
const UNREG = 'VOLUNTEER.NOT_REGISTERED' as const;
const MINE = 'JOB.NOT_YOURS' as const;

/** Verdicts for actions only the community admin may take. */
const adminOnly: Verdicts = [NO, ADMIN, ADMIN, ADMIN, ADMIN, 'ok'];

const tomorrow = () => chinaDayAfter(new Date(), 1);

/** The id of the world household's first member's booking `days` ahead. */
const bookingOf = (w: World, days: number) =>
  `${chinaDayAfter(new Date(), days)}:${w.household._id}:${w.household.members[0]!.id}`;

/** This row's resident books that day's home sampling (明日预约). */
const bookFor = (w: World, days: number) =>
  t.ok(w.me.resident, 'testing.book', {
    date: chinaDayAfter(new Date(), days),
    memberIds: [w.household.members[0]!.id],
    reason: 'returnee',
  });

/** Hands the world's job (and its order) to this row's volunteer, as if the dispatch had assigned it. */
const holdJob = async (w: World) => {
  await t.db.collection('orders').doc(w.orderId).update({ jobId: w.jobId, status: 'assigned', volunteerId: null });
  return t.db
    .collection('jobs')
    .doc(w.jobId)
    .update({ volunteerId: w.me.volunteer, status: 'assigned', pending: [w.orderId] });
};

/** …and has them pick it up. */
const pickedUp = async (w: World) => {
  await holdJob(w);
  return t.call(w.me.volunteer, 'dispatch.pickUp', { jobId: w.jobId, counts: {} });
};

/** A round of the world's community, `opensIn` ms from now, a day long, that no other row orders in. */
const matrixRound = (_id: string, opensIn: number) =>
  t.db
    .collection('rounds')
    .doc(_id)
    .set({
      communityId: 'c-xingfu',
      name: '矩阵批次',
      opensAt: new Date(Date.now() + opensIn).toISOString(),
      closesAt: new Date(Date.now() + opensIn + 86_400_000).toISOString(),
      createdBy: 'dev-admin',
    });

const MATRIX: { [A in ActionName]: Row<A> } = {
  // ── system, user ──
  'system.health': { payload: () => ({}), expect: ['ok', 'ok', 'ok', 'ok', 'ok', 'ok'] },
  'user.me': { payload: () => ({}), expect: [NO, 'ok', 'ok', 'ok', 'ok', 'ok'] },
  'user.subscribe': { payload: () => ({ templates: ['notice'] }), expect: [NO, 'ok', 'ok', 'ok', 'ok', 'ok'] },
  // Closing an account (issue 14): a resident closes their own; staff and registered volunteers are refused until their roles go.
  'user.close': { payload: () => ({ confirm: true }), expect: [NO, 'ok', FORBID, FORBID, FORBID, FORBID] },
  'user.retention': { payload: () => ({}), expect: [NO, 'ok', 'ok', 'ok', 'ok', 'ok'] },
  'user.home': { payload: () => ({}), expect: [NO, 'ok', 'ok', 'ok', 'ok', 'ok'] },

  // ── household ──
  'household.communities': { payload: () => ({}), expect: [NO, 'ok', 'ok', 'ok', 'ok', 'ok'] },
  'household.directory': {
    payload: (w) => ({ communityId: w.communityId }),
    expect: [NO, 'ok', 'ok', 'ok', 'ok', 'ok'],
  },
  'household.resolveEntry': {
    payload: () => ({ inviteToken: 'nosuchinvite' }),
    expect: [
      NO,
      'JOIN.INVITE_INVALID',
      'JOIN.INVITE_INVALID',
      'JOIN.INVITE_INVALID',
      'JOIN.INVITE_INVALID',
      'JOIN.INVITE_INVALID',
    ],
  },
  'household.requestJoin': {
    payload: (w) => ({
      gridId: w.gridId,
      buildingId: w.household.buildingId,
      room: '8-808',
      headName: '申请人',
      phone: '13912340000',
      via: 'manual',
    }),
    expect: [NO, 'JOIN.ALREADY_MEMBER', 'ok', 'ok', 'ok', 'ok'],
  },
  'household.myJoin': { payload: () => ({}), expect: [NO, 'ok', 'ok', 'ok', 'ok', 'ok'] },
  'household.get': { payload: () => ({}), expect: [NO, 'ok', MEMBER, MEMBER, MEMBER, MEMBER] },
  'household.update': {
    payload: (w) => ({
      headName: w.household.headName,
      members: w.household.members.map((m) => ({
        id: m.id,
        name: m.name,
        relation: m.relation,
        ageBand: m.ageBand,
        needs: m.needs,
      })),
      sensitiveConsent: w.household.sensitiveConsentAt !== null,
    }),
    expect: [NO, 'ok', MEMBER, MEMBER, MEMBER, MEMBER],
  },

  // ── grid ──
  'grid.mine': { payload: () => ({}), expect: [NO, 'ok', MEMBER, MEMBER, MEMBER, MEMBER] },
  'grid.joinRequests': { payload: (w) => ({ gridId: w.gridId }), expect: [NO, GW, GW, 'ok', 'ok', 'ok'] },
  'grid.reviewJoin': {
    payload: (w) => ({ requestId: w.joinRequestId, approve: false, reason: '非本楼住户' }),
    expect: [NO, GW, GW, 'ok', 'JOIN.NOT_PENDING', 'JOIN.NOT_PENDING'],
  },
  'grid.createInvite': { payload: (w) => ({ gridId: w.gridId }), expect: [NO, GW, GW, 'ok', 'ok', 'ok'] },
  // The group is the platform's open data (test/functions/group-household-trust.test.ts binds with it); without it, past the role check.
  'grid.bindGroup': { payload: (w) => ({ gridId: w.gridId }), expect: [NO, GW, GW, 'in', 'in', 'in'] },
  'grid.doorPoster': {
    payload: (w) => ({ gridId: w.gridId, buildingId: w.household.buildingId }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  'grid.groups': { payload: (w) => ({ gridId: w.gridId }), expect: [NO, GW, GW, 'ok', 'ok', 'ok'] },
  // No such binding: past the role check (COMMON.NOT_FOUND); test/functions/group-invites.test.ts unbinds real ones.
  'grid.unbindGroup': {
    payload: (w) => ({ gridId: w.gridId, groupId: 'gb-nosuchgroup' }),
    expect: [NO, GW, GW, 'in', 'in', 'in'],
  },
  // Anyone identified; the group is open data (none here: past the role check, COMMON.INVALID_INPUT).
  'grid.groupGrid': { payload: () => ({}), expect: [NO, 'in', 'in', 'in', 'in', 'in'] },
  // A file of this environment's storage (the local cloud's), in the grid's group-qr folder.
  'grid.setGroupQr': {
    payload: (w) => ({ gridId: w.gridId, fileId: `${t.cloud.url}/storage/group-qr/${w.gridId}/matrix.png` }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  'grid.households': { payload: (w) => ({ gridId: w.gridId }), expect: [NO, GW, GW, 'ok', 'ok', 'ok'] },
  'grid.postNotice': {
    payload: (w) => ({ gridId: w.gridId, title: '通知', body: '内容' }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  'grid.dashboard': { payload: (w) => ({ gridId: w.gridId }), expect: [NO, GW, GW, 'ok', 'ok', 'ok'] },
  'grid.staffGrids': { payload: () => ({}), expect: [NO, GW, GW, 'ok', 'ok', 'ok'] },
  'grid.recordContact': {
    payload: (w) => ({ householdId: w.household._id, method: 'phone' }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  'grid.saveCare': {
    payload: (w) => ({
      householdId: w.household._id,
      memberId: w.household.members[0]!.id,
      dialysisWeekdays: [1],
      refillEveryDays: 30,
      lastRefillOn: null,
    }),
    expect: [NO, GW, GW, 'in', 'in', 'in'],
  },
  // The live group order: the grid's staff (test/functions/group-live.test.ts makes and updates real ones).
  'grid.liveMessage': {
    payload: (w) => ({ gridId: w.gridId, roundId: w.orderRoundId }),
    expect: [NO, GW, GW, 'in', 'in', 'in'],
  },
  // The group is open data (none here: past the role check, COMMON.INVALID_INPUT); group-live.test.ts checks who may.
  'grid.chatBoard': { payload: () => ({}), expect: [NO, 'in', 'in', 'in', 'in', 'in'] },
  'grid.matchMember': { payload: () => ({ consent: true }), expect: [NO, 'in', 'in', 'in', 'in', 'in'] },
  'grid.unmatchMember': { payload: () => ({}), expect: [NO, 'in', 'in', 'in', 'in', 'in'] },

  // ── order ──
  'order.catalog': { payload: () => ({}), expect: [NO, 'ok', MEMBER, MEMBER, MEMBER, MEMBER] },
  'order.place': {
    payload: () => ({
      kind: 'medicine',
      medicine: { description: '降压药 一盒', urgency: 'normal' },
      payment: 'cashOnDelivery',
      contactless: true,
    }),
    expect: [NO, 'ok', MEMBER, MEMBER, MEMBER, MEMBER],
    requestId: true,
  },
  'order.mine': { payload: () => ({}), expect: [NO, 'ok', MEMBER, MEMBER, MEMBER, MEMBER] },
  'order.detail': {
    payload: (w) => ({ orderId: w.orderId }),
    expect: [NO, 'ok', 'COMMON.NOT_FOUND', 'ok', 'ok', 'ok'],
  },
  'order.cancel': {
    payload: (w) => ({ orderId: w.spareOrderId }),
    expect: [NO, 'ok', 'COMMON.NOT_FOUND', 'ok', 'ok', 'ok'],
  },
  // Only the household confirms receipt (this order is not delivered yet, so it cannot).
  'order.confirm': {
    payload: (w) => ({ orderId: w.spareOrderId }),
    expect: [NO, 'ORDER.BAD_STATE', 'COMMON.NOT_FOUND', FORBID, FORBID, FORBID],
  },
  // ── WeChat Pay (issue 19): the world's order is paid in cash, so those who get past access hear so ──
  'order.pay': {
    payload: (w) => ({ orderId: w.orderId }),
    expect: [NO, 'ORDER.BAD_STATE', 'COMMON.NOT_FOUND', FORBID, FORBID, FORBID],
  },
  'order.syncPayment': {
    payload: (w) => ({ orderId: w.orderId }),
    expect: [NO, 'ORDER.BAD_STATE', 'COMMON.NOT_FOUND', 'ORDER.BAD_STATE', 'ORDER.BAD_STATE', 'ORDER.BAD_STATE'],
  },
  'order.payLink': {
    payload: (w) => ({ orderId: w.orderId }),
    expect: [NO, 'ORDER.BAD_STATE', 'COMMON.NOT_FOUND', FORBID, FORBID, FORBID],
  },
  // A pay link is the token, whoever holds it: without a valid one, nobody.
  'order.payCard': {
    payload: (w) => ({ orderId: w.orderId, token: 'x'.repeat(24) }),
    expect: [NO, 'PAY.LINK_INVALID', 'PAY.LINK_INVALID', 'PAY.LINK_INVALID', 'PAY.LINK_INVALID', 'PAY.LINK_INVALID'],
  },
  'order.payFor': {
    payload: (w) => ({ orderId: w.orderId, token: 'x'.repeat(24) }),
    expect: [NO, 'PAY.LINK_INVALID', 'PAY.LINK_INVALID', 'PAY.LINK_INVALID', 'PAY.LINK_INVALID', 'PAY.LINK_INVALID'],
  },
  'order.saveItem': {
    payload: () => ({
      name: '口罩',
      category: 'daily',
      unit: '盒',
      priceFen: 1500,
      stock: 100,
      perHouseholdLimit: 1,
      active: true,
    }),
    expect: adminOnly,
  },
  'order.items': { payload: () => ({}), expect: adminOnly },
  'order.restock': { payload: () => ({ itemId: 'item-002', qty: 5 }), expect: adminOnly, requestId: true },
  'order.openRound': {
    payload: () => ({
      name: '矩阵批次',
      opensAt: new Date().toISOString(),
      closesAt: new Date(Date.now() + 86_400_000).toISOString(),
    }),
    expect: adminOnly,
  },
  'order.rounds': { payload: () => ({}), expect: adminOnly },
  // Extending and closing a round (issue 12): rounds of their own, so the rows after still order in round-001.
  'order.extendRound': {
    setup: () => matrixRound('matrix-extend-round', 86_400_000),
    payload: () => ({ roundId: 'matrix-extend-round', closesAt: new Date(Date.now() + 3 * 86_400_000).toISOString() }),
    expect: adminOnly,
  },
  'order.closeRound': {
    setup: () => matrixRound('matrix-close-round', 0),
    payload: () => ({ roundId: 'matrix-close-round' }),
    expect: adminOnly,
  },
  'order.roundFill': { payload: (w) => ({ roundIds: [w.orderRoundId] }), expect: adminOnly },

  // ── testing ──
  'testing.openRound': {
    payload: () => ({ name: '矩阵轮次', date: tomorrow(), points: ['上门'], validHours: 24 }),
    expect: adminOnly,
  },
  'testing.closeRound': { payload: (w) => ({ roundId: w.spareTestRoundId }), expect: adminOnly },
  'testing.rounds': { payload: () => ({}), expect: [NO, 'ok', 'ok', 'ok', 'ok', 'ok'] },
  'testing.myRecords': { payload: (w) => ({ roundId: w.testRoundId }), expect: [NO, 'ok', 'ok', 'ok', 'ok', 'ok'] },
  'testing.personCodes': { payload: () => ({}), expect: [NO, 'ok', MEMBER, MEMBER, MEMBER, MEMBER] },
  'testing.record': {
    payload: (w) => ({
      roundId: w.testRoundId,
      point: '上门',
      householdId: w.household._id,
      memberId: w.household.members[0]!.id,
    }),
    // The matrix's volunteer is of the delivery team: only 核酸检测 volunteers (or samplers) record.
    expect: [NO, FORBID, FORBID, 'ok', 'ok', 'ok'],
  },
  'testing.myCards': { payload: () => ({}), expect: [NO, 'ok', MEMBER, MEMBER, MEMBER, MEMBER] },
  'testing.verify': { payload: (w) => ({ token: w.cardToken }), expect: [NO, FORBID, 'ok', 'ok', 'ok', 'ok'] },
  'testing.coverage': {
    payload: (w) => ({ roundId: w.testRoundId, gridId: w.gridId }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  'testing.knock': {
    payload: (w) => ({ roundId: w.testRoundId, householdId: w.household._id, status: 'notHome' }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  'testing.exportCoverage': {
    payload: (w) => ({ roundId: w.testRoundId, gridId: w.gridId }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  // Results (a positive is a follow-up flag): the admin and that grid's gridworker only, not its group leader.
  'testing.results': {
    payload: (w) => ({ roundId: w.testRoundId, gridId: w.gridId }),
    expect: [NO, GW, GW, 'ok', GW, 'ok'],
  },
  'testing.recordResult': {
    payload: (w) => ({
      roundId: w.testRoundId,
      householdId: w.household._id,
      memberId: w.household.members[0]!.id,
      result: 'negative',
    }),
    expect: [NO, GW, GW, 'ok', GW, 'ok'],
  },
  'testing.book': {
    payload: (w) => ({ date: tomorrow(), memberIds: [w.household.members[0]!.id] }),
    expect: [NO, 'ok', MEMBER, MEMBER, MEMBER, MEMBER],
  },
  'testing.bookings': {
    payload: (w) => ({ gridId: w.gridId, date: tomorrow() }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  // 明日预约: the grid's staff list, claim, knock and close; the resident sees and cancels their own.
  'testing.bookingList': {
    payload: (w) => ({ gridId: w.gridId }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  'testing.claimBooking': {
    setup: (w) => bookFor(w, 2),
    payload: (w) => ({ bookingId: bookingOf(w, 2) }),
    // The gridworker wins the claim; later claims by others are refused as taken (past the role check).
    expect: [NO, GW, GW, 'ok', 'in', 'in'],
  },
  'testing.knockBooking': {
    setup: async (w) => {
      await bookFor(w, 3);
      return t.ok(w.me.gridworker, 'testing.claimBooking', { bookingId: bookingOf(w, 3) });
    },
    payload: (w) => ({ bookingId: bookingOf(w, 3), status: 'notHome' }),
    expect: [NO, GW, GW, 'ok', 'in', 'ok'],
  },
  'testing.closeBooking': {
    setup: async (w) => {
      await bookFor(w, 4);
      return t.ok(w.me.gridworker, 'testing.claimBooking', { bookingId: bookingOf(w, 4) });
    },
    payload: (w) => ({ bookingId: bookingOf(w, 4), outcome: 'sampled' }),
    expect: [NO, GW, GW, 'ok', 'in', 'in'],
  },
  'testing.myBookings': { payload: () => ({}), expect: [NO, 'ok', MEMBER, MEMBER, MEMBER, MEMBER] },
  'testing.cancelBooking': {
    setup: (w) => bookFor(w, 5),
    payload: (w) => ({ bookingId: bookingOf(w, 5) }),
    expect: [NO, 'ok', MEMBER, MEMBER, MEMBER, MEMBER],
  },
  // 重点人员: health data, that grid's gridworker and the admin only (not its group leader).
  'testing.keyPersons': {
    payload: (w) => ({ gridId: w.gridId }),
    expect: [NO, GW, GW, 'ok', GW, 'ok'],
  },
  'testing.saveKeyPerson': {
    payload: (w) => ({
      householdId: w.household._id,
      memberId: w.household.members[0]!.id,
      kinds: ['returnee'],
      codeColor: 'green',
    }),
    expect: [NO, GW, GW, 'ok', GW, 'ok'],
  },
  'testing.checkKeyPerson': {
    setup: (w) =>
      t.ok(w.me.communityAdmin, 'testing.saveKeyPerson', {
        householdId: w.household._id,
        memberId: w.household.members[0]!.id,
        kinds: ['homeIsolation'],
        isolationStart: tomorrow(),
        isolationEnd: chinaDayAfter(new Date(), 7),
        codeColor: 'yellow',
      }),
    payload: (w) => ({
      personId: `${w.household._id}:${w.household.members[0]!.id}`,
      codeColor: 'green',
      symptoms: false,
    }),
    expect: [NO, GW, GW, 'ok', GW, 'ok'],
  },
  // 代下单 slips carry the household's 取货码: that grid's gridworker and the admin only.
  'testing.orderSlips': {
    payload: (w) => ({ gridId: w.gridId }),
    expect: [NO, GW, GW, 'ok', GW, 'ok'],
  },
  'testing.householdNeeds': {
    payload: (w) => ({ householdId: w.household._id }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  // The world's household uses the app, so its staff are past the role check but refused (it consents itself).
  'testing.recordNeeds': {
    payload: (w) => ({ householdId: w.household._id, members: [{ memberId: w.household.members[0]!.id, needs: [] }] }),
    expect: [NO, GW, GW, 'in', 'in', 'in'],
  },
  'testing.householdCodes': {
    payload: (w) => ({ householdId: w.household._id }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  'testing.publicKeys': { payload: () => ({}), expect: ['ok', 'ok', 'ok', 'ok', 'ok', 'ok'] },

  // ── volunteer ──
  'volunteer.register': {
    payload: (w) => ({
      name: '报名人',
      phone: '13912345670',
      partyMember: true,
      partyBranch: '第一党支部',
      workUnit: '退休',
      communityId: w.communityId,
      gridIds: [w.gridId],
      teamsWished: ['checkpoint'],
      skills: [],
      slots: ['morning'],
      health: { noSymptoms: true, noRiskContact: true, promise: true },
    }),
    expect: [NO, 'ok', 'ok', 'ok', 'ok', 'ok'],
  },
  'volunteer.me': { payload: () => ({}), expect: [NO, 'ok', 'ok', 'ok', 'ok', 'ok'] },
  'volunteer.prefill': { payload: () => ({}), expect: [NO, 'ok', 'ok', 'ok', 'ok', 'ok'] },
  'volunteer.leave': { payload: () => ({}), expect: [NO, UNREG, 'ok', UNREG, UNREG, UNREG] },
  'volunteer.setDuty': { payload: () => ({ onDuty: true }), expect: [NO, UNREG, 'ok', UNREG, UNREG, UNREG] },
  'volunteer.card': { payload: () => ({}), expect: [NO, UNREG, 'ok', UNREG, UNREG, UNREG] },
  'volunteer.verifyCard': {
    payload: (w) => ({ token: w.volunteerToken }),
    expect: [NO, FORBID, 'ok', 'ok', 'ok', 'ok'],
  },
  'volunteer.myHours': { payload: () => ({}), expect: [NO, UNREG, 'ok', UNREG, UNREG, UNREG] },
  'volunteer.list': { payload: () => ({}), expect: [NO, FORBID, FORBID, 'ok', FORBID, 'ok'] },
  'volunteer.review': {
    payload: (w) => ({ volunteerId: w.applicantId, approve: false, reason: '信息不全' }),
    expect: [NO, FORBID, FORBID, 'ok', FORBID, 'VOLUNTEER.NOT_PENDING'],
  },
  'volunteer.contact': {
    payload: (w) => ({ volunteerId: w.applicantId }),
    expect: [NO, FORBID, FORBID, 'ok', FORBID, 'ok'],
  },
  'volunteer.stats': { payload: () => ({}), expect: [NO, FORBID, FORBID, 'ok', FORBID, 'ok'] },
  'volunteer.exportHours': { payload: () => ({}), expect: [NO, FORBID, FORBID, 'ok', FORBID, 'ok'] },
  'volunteer.createShift': {
    payload: () => ({
      team: 'checkpoint',
      title: '夜班',
      place: '2号卡点',
      date: tomorrow(),
      start: '20:00',
      end: '23:00',
      capacity: 5,
      qualifications: [],
      cancelBeforeHours: 1,
    }),
    expect: adminOnly,
  },
  'volunteer.cancelShift': { payload: (w) => ({ shiftId: w.spareShiftId }), expect: adminOnly },
  'volunteer.shifts': { payload: () => ({}), expect: [NO, VOL, 'ok', 'ok', VOL, 'ok'] },
  'volunteer.signUp': { payload: (w) => ({ shiftId: w.shiftId }), expect: [NO, UNREG, 'ok', UNREG, UNREG, UNREG] },
  'volunteer.cancelSignup': {
    setup: (w) => t.ok(w.me.volunteer, 'volunteer.signUp', { shiftId: w.shiftId }),
    payload: (w) => ({ shiftId: w.shiftId }),
    expect: [NO, UNREG, 'ok', UNREG, UNREG, UNREG],
  },
  'volunteer.roster': { payload: (w) => ({ shiftId: w.shiftId }), expect: [NO, FORBID, FORBID, 'ok', FORBID, 'ok'] },

  // ── organisation ──
  'org.structure': { payload: () => ({}), expect: adminOnly },
  'org.saveGrid': { payload: () => ({ name: '矩阵网格' }), expect: adminOnly },
  'org.saveBuilding': {
    payload: (w) => ({ gridId: w.gridId, name: '矩阵楼', floors: 6, hasLift: false, distanceM: 50 }),
    expect: adminOnly,
  },
  'org.import': {
    payload: () => ({
      fileName: '住户.csv',
      base64: Buffer.from('网格,楼栋,房号,户主,电话,人数\n第1网格,矩阵楼,101,张三,13812345678,2').toString('base64'),
      dryRun: true,
    }),
    expect: adminOnly,
  },
  'org.importTemplate': { payload: () => ({}), expect: adminOnly },
  'org.staff': { payload: () => ({}), expect: adminOnly },
  'org.findUsers': { payload: () => ({ query: '网格' }), expect: adminOnly },
  'org.grantRole': { payload: (w) => ({ openid: w.me.resident, role: 'volunteer' }), expect: adminOnly },
  'org.revokeRole': { payload: (w) => ({ openid: w.me.groupLeader, role: 'groupLeader' }), expect: adminOnly },
  'org.saveStaffProfile': {
    payload: (w) => ({
      openid: w.me.gridworker,
      capacity: 100,
      homeBuildingId: null,
      mustGridIds: [],
      mustNotGridIds: [],
    }),
    expect: adminOnly,
  },
  'org.createCode': {
    payload: (w) => ({ role: 'gridworker', gridId: w.gridId, maxUses: 1, days: 1 }),
    expect: adminOnly,
  },
  'org.codes': { payload: () => ({}), expect: adminOnly },
  'org.revokeCode': { payload: (w) => ({ code: w.spareCode }), expect: adminOnly },
  'org.redeemCode': { payload: (w) => ({ code: w.roleCode }), expect: [NO, 'ok', 'ok', 'ok', 'ok', 'ok'] },
  'org.planAssignment': { payload: () => ({ pins: [] }), expect: adminOnly },
  'org.applyAssignment': {
    payload: () => ({ basis: 'stale', parts: [] }),
    expect: [NO, ADMIN, ADMIN, ADMIN, ADMIN, 'COMMON.CONFLICT'],
  },
  'org.dashboard': { payload: () => ({}), expect: adminOnly },
  'org.outbox': { payload: () => ({}), expect: adminOnly },
  // ── the end of the emergency (issue 14): the community admin only ──
  'org.emergency': { payload: () => ({}), expect: adminOnly },
  'org.declareEnd': {
    setup: (w) => t.call(w.me.communityAdmin, 'org.undoEnd', {}),
    payload: () => ({ retentionDays: 30 }),
    expect: adminOnly,
  },
  'org.undoEnd': {
    setup: (w) => t.call(w.me.communityAdmin, 'org.declareEnd', { retentionDays: 30 }),
    payload: () => ({}),
    expect: adminOnly,
  },
  'org.accessLog': { payload: () => ({}), expect: adminOnly },
  // The round's settlement (issue 19): the community admin only.
  'org.settlement': { payload: (w) => ({ roundId: w.orderRoundId }), expect: adminOnly },
  'org.settlementExcel': { payload: (w) => ({ roundId: w.orderRoundId }), expect: adminOnly },

  // ── dispatch ──
  'dispatch.pool': { payload: (w) => ({ gridId: w.gridId }), expect: [NO, GW, GW, 'ok', 'ok', 'ok'] },
  'dispatch.review': {
    payload: (w) => ({ orderIds: [w.orderId], accept: true }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  'dispatch.requeue': { payload: (w) => ({ orderId: w.orderId }), expect: [NO, GW, GW, 'in', 'in', 'in'] },
  'dispatch.purchaseList': {
    payload: (w) => ({ roundId: w.orderRoundId, gridId: w.gridId }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  'dispatch.packingList': {
    payload: (w) => ({ roundId: w.orderRoundId, gridId: w.gridId }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  'dispatch.exportLists': {
    payload: (w) => ({ roundId: w.orderRoundId, gridId: w.gridId, list: 'packing' }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  'dispatch.run': { payload: (w) => ({ gridId: w.gridId }), expect: [NO, GW, GW, 'ok', 'ok', 'ok'] },
  'dispatch.board': { payload: (w) => ({ gridId: w.gridId }), expect: [NO, GW, GW, 'ok', 'ok', 'ok'] },
  'dispatch.reassign': {
    setup: holdJob,
    payload: (w) => ({ jobId: w.jobId, volunteerId: w.me.volunteer, fromVolunteerId: w.me.volunteer }),
    expect: [NO, GW, GW, 'ok', 'ok', 'ok'],
  },
  'dispatch.openJobs': { payload: () => ({}), expect: [NO, VOL, 'ok', VOL, VOL, VOL] },
  // Anyone's own jobs (none for people who are not volunteers).
  'dispatch.myJobs': { payload: () => ({}), expect: [NO, 'ok', 'ok', 'ok', 'ok', 'ok'] },
  'dispatch.grab': {
    setup: (w) => t.db.collection('jobs').doc(w.jobId).update({ volunteerId: null, status: 'open' }),
    payload: (w) => ({ jobId: w.jobId }),
    expect: [NO, VOL, 'ok', VOL, VOL, VOL],
  },
  // A job is shown to its volunteer and its grid's staff; to others it does not exist.
  'dispatch.job': {
    setup: holdJob,
    payload: (w) => ({ jobId: w.jobId }),
    expect: [NO, 'COMMON.NOT_FOUND', 'ok', 'ok', 'ok', 'ok'],
  },
  'dispatch.unlockCode': {
    setup: async (w) => {
      await pickedUp(w);
      return t.db.collection('jobs').doc(w.jobId).update({ codeTries: 5 });
    },
    payload: (w) => ({ jobId: w.jobId }),
    expect: [NO, GW, GW, 'in', 'in', 'in'],
  },
  'dispatch.release': {
    setup: holdJob,
    payload: (w) => ({ jobId: w.jobId, reason: '临时有事' }),
    expect: [NO, GW, 'ok', 'ok', 'ok', 'ok'],
  },
  'dispatch.pickUp': {
    setup: holdJob,
    payload: (w) => ({ jobId: w.jobId, counts: {} }),
    expect: [NO, MINE, 'ok', MINE, MINE, MINE],
  },
  'dispatch.deliver': {
    setup: pickedUp,
    payload: (w) => ({ jobId: w.jobId, orderId: w.orderId, code: '0000' }),
    expect: [NO, MINE, 'JOB.WRONG_CODE', MINE, MINE, MINE],
  },
  'dispatch.courier': {
    setup: holdJob,
    payload: (w) => ({ orderId: w.orderId }),
    expect: [NO, 'ok', MEMBER, MEMBER, MEMBER, MEMBER],
  },
  'dispatch.fail': {
    setup: pickedUp,
    payload: (w) => ({ jobId: w.jobId, orderId: w.orderId, reason: '家中无人' }),
    expect: [NO, MINE, 'ok', MINE, MINE, MINE],
  },
  // A collection round's door (the world's job is a delivery: its own volunteer is told so).
  'dispatch.collectEmpty': {
    setup: holdJob,
    payload: (w) => ({ jobId: w.jobId, orderId: w.orderId }),
    expect: [NO, MINE, 'JOB.BAD_STATE', MINE, MINE, MINE],
  },
  'dispatch.gasRefilled': { payload: (w) => ({ gridId: w.gridId }), expect: [NO, GW, GW, 'ok', 'ok', 'ok'] },
};

let t: TestCloud;
let world: Omit<World, 'me'>;

async function one<T>(collection: string, where: Record<string, unknown>): Promise<T> {
  const res = await t.db.collection(collection).where(where).limit(1).get();
  const doc = (res.data as T[])[0];
  if (!doc) throw new Error(`no ${collection} matching ${JSON.stringify(where)}`);
  return doc;
}

/** Fresh people for one row. */
async function people(tag: string): Promise<World['me']> {
  const _ = t.db.command;
  const base = {
    communityId: world.communityId,
    householdId: null,
    adminGridIds: [] as string[],
    createdAt: new Date().toISOString(),
    phone: '13800000000',
  };
  const me = {
    resident: `${tag}-res`,
    volunteer: `${tag}-vol`,
    gridworker: `${tag}-gw`,
    groupLeader: `${tag}-gl`,
    communityAdmin: `${tag}-adm`,
  };
  const { _id: _unused, ...template } = await one<VolunteerDoc>('volunteers', { status: 'approved', team: 'delivery' });
  await Promise.all([
    t.db
      .collection('users')
      .doc(me.resident)
      .set({ ...base, nickName: '居民', roles: ['resident'], householdId: world.household._id }),
    t.db
      .collection('households')
      .doc(world.household._id)
      .update({ memberOpenids: _.addToSet(me.resident) }),
    t.db
      .collection('users')
      .doc(me.volunteer)
      .set({ ...base, nickName: '志愿者', roles: ['volunteer'] }),
    t.db
      .collection('volunteers')
      .doc(me.volunteer)
      .set({ ...template, gridIds: [world.gridId], onDuty: true }),
    t.db
      .collection('users')
      .doc(me.gridworker)
      .set({ ...base, nickName: '网格员', roles: ['gridworker'], adminGridIds: [world.gridId] }),
    t.db
      .collection('users')
      .doc(me.groupLeader)
      .set({ ...base, nickName: '组长', roles: ['groupLeader'], adminGridIds: [world.gridId] }),
    t.db
      .collection('users')
      .doc(me.communityAdmin)
      .set({ ...base, nickName: '管理员', roles: ['communityAdmin'] }),
  ]);
  await t.db
    .collection('grids')
    .doc(world.gridId)
    .update({ gridworkerIds: _.addToSet(me.gridworker) });
  await t.db
    .collection('grids')
    .doc(world.gridId)
    .update({ groupLeaderIds: _.addToSet(me.groupLeader) });
  return me;
}

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 3, households: 90, joinedShare: 0.9 } });
  const household = await one<HouseholdDoc>('households', { gridId: 'g-01', memberOpenids: t.db.command.neq([]) });
  const resident = household.memberOpenids[0] as string;
  const order = await t.ok(
    resident,
    'order.place',
    { kind: 'loveBag', lines: [{ itemId: 'item-001', qty: 1 }], payment: 'free', contactless: true },
    'matrix-order-0001',
  );
  const spareOrder = await t.ok(
    resident,
    'order.place',
    {
      kind: 'medicine',
      medicine: { description: '降压药 一盒', urgency: 'normal' },
      payment: 'cashOnDelivery',
      contactless: true,
    },
    'matrix-order-0002',
  );
  await t.ok('dev-gw-01', 'dispatch.review', { orderIds: [order.id], accept: true });
  await t.call('dev-gw-01', 'dispatch.run', { gridId: 'g-01' });
  const job = (await t.db.collection('jobs').where({ gridId: 'g-01' }).limit(1).get()).data as JobDoc[];
  const testRound = await t.ok('dev-admin', 'testing.openRound', {
    name: '矩阵轮',
    date: tomorrow(),
    points: ['上门'],
    validHours: 48,
  });
  const card = await t.ok('dev-admin', 'testing.record', {
    roundId: testRound.id,
    point: '上门',
    householdId: household._id,
    memberId: household.members[0]!.id,
  });
  await t.ok('matrix-joiner', 'user.me', {});
  const grid = ((await t.db.collection('grids').doc('g-01').get()).data as Grid[])[0]!;
  const join = await t.ok('matrix-joiner', 'household.requestJoin', {
    gridId: 'g-01',
    buildingId: grid.buildingIds[0]!,
    room: '9-909',
    headName: '申请人',
    phone: '13912345678',
    via: 'manual',
  });
  const shift = await t.ok('dev-admin', 'volunteer.createShift', {
    team: 'delivery',
    title: '卡点值守',
    place: '1号卡点',
    date: tomorrow(),
    start: '09:00',
    end: '12:00',
    capacity: 50,
    qualifications: [],
    cancelBeforeHours: 1,
  });
  await t.ok('matrix-applicant', 'volunteer.register', {
    name: '报到人',
    phone: '13912345679',
    partyMember: false,
    workUnit: '退休',
    communityId: 'c-xingfu',
    gridIds: ['g-01'],
    teamsWished: ['delivery'],
    skills: [],
    slots: ['morning'],
    health: { noSymptoms: true, noRiskContact: true, promise: true },
  });
  const code = await t.ok('dev-admin', 'org.createCode', { role: 'volunteer', maxUses: 500, days: 7 });
  const spareCode = await t.ok('dev-admin', 'org.createCode', { role: 'volunteer', maxUses: 1, days: 7 });
  const spareRound = await t.ok('dev-admin', 'testing.openRound', {
    name: '备用轮',
    date: tomorrow(),
    points: ['上门'],
    validHours: 48,
  });
  const spareShift = await t.ok('dev-admin', 'volunteer.createShift', {
    team: 'checkpoint',
    title: '备用班次',
    place: '2号卡点',
    date: tomorrow(),
    start: '14:00',
    end: '18:00',
    capacity: 5,
    qualifications: [],
    cancelBeforeHours: 1,
  });
  const vcard = await t.call('dev-vol-001', 'volunteer.card', {});
  world = {
    communityId: 'c-xingfu',
    gridId: 'g-01',
    otherGridId: 'g-02',
    household,
    orderId: order.id,
    spareOrderId: spareOrder.id,
    testRoundId: testRound.id,
    orderRoundId: 'round-001',
    joinRequestId: join.id,
    shiftId: shift.id,
    jobId: job[0]?._id ?? 'no-job',
    applicantId: 'matrix-applicant',
    roleCode: code.code,
    spareCode: spareCode.code,
    spareTestRoundId: spareRound.id,
    spareShiftId: spareShift.id,
    volunteerToken: vcard.ok ? vcard.data.token : 'x.y',
    cardToken: card.card.token,
  };
}, 120_000);
afterAll(() => t.close());

const names = Object.keys(MATRIX) as ActionName[];

it('has a row for every action of the contract', () => {
  expect(names.length).toBeGreaterThan(90);
});

describe.each(names)('%s', (action) => {
  it('is allowed or refused by role', async () => {
    const row = MATRIX[action] as Row<ActionName>;
    const me = await people(action.replace(/\W/g, '_'));
    const w: World = { ...world, me };
    await row.setup?.(w);
    const seen: string[] = [];
    for (const [i, who] of WHO.entries()) {
      const openid = who === 'none' ? null : me[who];
      const result = await t.call(
        openid,
        action,
        row.payload(w),
        row.requestId ? `matrix-${action.replace(/\W/g, '-')}-${i}` : undefined,
      );
      const got = result.ok ? 'ok' : result.code;
      const want = row.expect[i] as Verdict;
      const pass = want === 'in' ? !got.startsWith('AUTH.') : got === want;
      seen.push(`${who}: ${got}${pass ? '' : ` (want ${want}${result.ok ? '' : ` — ${result.message}`})`}`);
    }
    if (process.env.MATRIX_PRINT) console.log(`${action}: ${seen.map((x) => x.split(' (')[0]).join(' | ')}`);
    expect(seen.filter((s) => s.includes('(want'))).toEqual([]);
  });
});
