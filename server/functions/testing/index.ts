import { readPersonCode, serialNumber, signCard, signPersonCode, verifyCard, type CardVerdict } from '../../../core/card/token';
import { next } from '../../../core/state/machine';
import { ROUND_MACHINE } from '../../../core/state/machines';
import { transition } from '../../lib/transition';
import { AppError } from '../../../core/errors';
import { KNOCK_TEXT, NEED_TEXT } from '../../../core/labels';
import { maskName } from '../../../core/mask';
import { chinaDay, toChinaIso } from '../../../core/time';
import type { CardView, CoverageView, TestRoundView, VerifyView } from '../../../typings/api';
import type { Building, Community, Grid, HouseholdDoc, KnockStatus, SampleDoc, TestRoundDoc, UserDoc, VolunteerDoc } from '../../../typings/entities';
import { getDoc, mustGet, requireGridStaff, requireResident, staffOf } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { cardKeys, publicKeyList } from '../../lib/card-keys';
import { workbook } from '../../lib/excel';
import { defineFunction, type CallContext, type UserContext } from '../../lib/define-function';
import { all, qrDataUrl } from '../../lib/query';
import { findUser, requireAdmin } from '../../lib/users';
import { idString, text, note, dateString, z } from '../../lib/validate';

const id = idString();

const VERDICT_TEXT: Record<VerifyView['status'], string> = {
  valid: '有效：已在本轮采样',
  expired: '已过期：请参加最新一轮核酸采样',
  otherRound: '不是本轮的采样卡',
  otherHolder: '不是本户的采样卡',
  invalid: '无效：采样卡被修改或不是本社区签发',
  noRound: '无法判定：本社区当前没有进行中的检测轮次，请联系社区确认',
};


function roundView(r: TestRoundDoc): TestRoundView {
  return { id: r._id, code: r.code, name: r.name, date: r.date, points: r.points, validHours: r.validHours, status: r.status };
}



/**
 * Samplers: the grid's staff, the community's admin, a sampler the admin granted, and approved
 * volunteers of the community's 核酸检测 team — not any volunteer (recording reveals the address).
 */
function maySample(user: UserDoc | null, volunteer: VolunteerDoc | null, grid: Grid): boolean {
  if (staffOf(user, grid)) return true;
  if (user?.roles.includes('sampler') && user.communityId === grid.communityId) return true;
  return volunteer?.status === 'approved' && volunteer.team === 'testing' && volunteer.communityId === grid.communityId;
}

/** A sample's id: one per round, household and member (member ids are unique only within a household). */
const sampleIdOf = (roundId: string, householdId: string, memberId: string) => `${roundId}:${householdId}:${memberId}`;

/** The community's current open round (the latest opened), or null. */
async function openRoundOf(ctx: CallContext, communityId: string): Promise<TestRoundDoc | null> {
  const res = await ctx.db.collection('testRounds').where({ communityId, status: 'open' }).orderBy('openedAt', 'desc').limit(1).get();
  return ((res.data as TestRoundDoc[])[0] ?? null) as TestRoundDoc | null;
}

async function cardView(ctx: CallContext, s: SampleDoc, names: { round: TestRoundDoc; grid: Grid; community: Community; building: Building; household: HouseholdDoc }): Promise<CardView> {
  const member = names.household.members.find((m) => m.id === s.memberId);
  return {
    roundId: s.roundId,
    roundName: names.round.name,
    serial: s.serial,
    nameMasked: maskName(member?.name ?? ''),
    place: `${names.building.name} ${names.household.room}`,
    gridName: names.grid.name,
    sampledAt: toChinaIso(new Date(s.sampledAt)),
    validUntil: toChinaIso(new Date(Date.parse(s.sampledAt) + names.round.validHours * 3600_000)),
    seal: `${names.community.name}居民委员会`,
    token: s.token,
    qr: await qrDataUrl(s.token),
    result: s.result,
  };
}

/**
 * The next number of a sequence, by compare-and-set on its counter: unique under any concurrency,
 * with no transaction to conflict (a number is lost only if the caller dies before using it).
 */
async function nextSequence(ctx: CallContext, counterId: string): Promise<number> {
  const counters = ctx.db.collection('counters');
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const current = await getDoc<{ seq: number }>(ctx, 'counters', counterId);
    if (!current) {
      try {
        await counters.add({ _id: counterId, seq: 1 });
        return 1;
      } catch (error) {
        if (!isDuplicateError(error)) throw error;
        continue;
      }
    }
    const taken = await counters.where({ _id: counterId, seq: current.seq }).update({ seq: current.seq + 1 });
    if (taken.updated) return current.seq + 1;
  }
  throw new AppError('COMMON.CONFLICT', '登记人数较多，请稍后重试');
}

/** Coverage of a grid in a round, for its staff: counts per building and who is missing. */
async function coverageOf(ctx: UserContext, roundId: string, gridId: string): Promise<{ view: CoverageView; round: TestRoundDoc; grid: Grid }> {
  const { grid } = await requireGridStaff(ctx, gridId);
  const round = await mustGet<TestRoundDoc>(ctx, 'testRounds', roundId, '检测轮次');
  if (round.communityId !== grid.communityId) throw new AppError('COMMON.NOT_FOUND', '没有找到该检测轮次');
  const [households, samples, knocks, buildings] = await Promise.all([
    all<HouseholdDoc>(ctx, 'households', { gridId: grid._id }),
    all<Pick<SampleDoc, 'memberId' | 'householdId'>>(ctx, 'samples', { roundId: round._id, gridId: grid._id }),
    all<{ householdId: string; status: KnockStatus }>(ctx, 'knocks', { roundId: round._id, gridId: grid._id }),
    all<Building>(ctx, 'buildings', { gridId: grid._id }),
  ]);
  const sampledMembers = new Set(samples.map((s) => `${s.householdId}:${s.memberId}`));
  const knockOf = new Map(knocks.map((k) => [k.householdId, k.status]));
  const names = new Map(buildings.map((b) => [b._id, b.name]));
  const perBuilding = new Map<string, { sampled: number; total: number }>();
  const pending: CoverageView['pending'] = [];
  let total = 0;
  let sampled = 0;
  for (const h of households) {
    const counts = perBuilding.get(h.buildingId) ?? { sampled: 0, total: 0 };
    const missing = h.members.filter((m) => !sampledMembers.has(`${h._id}:${m.id}`));
    counts.total += h.members.length;
    counts.sampled += h.members.length - missing.length;
    perBuilding.set(h.buildingId, counts);
    total += h.members.length;
    sampled += h.members.length - missing.length;
    if (missing.length) {
      pending.push({
        householdId: h._id,
        buildingName: names.get(h.buildingId) ?? '',
        room: h.room,
        members: missing.map((m) => ({ memberId: m.id, nameMasked: maskName(m.name), needs: m.needs })),
        knock: knockOf.get(h._id) ?? null,
      });
    }
  }
  // Special needs first: they are the ones a gridworker goes door to door for.
  pending.sort((a, b) => Number(b.members.some((m) => m.needs.length)) - Number(a.members.some((m) => m.needs.length)));
  const view: CoverageView = {
    roundId: round._id,
    gridId: grid._id,
    sampled,
    total,
    buildings: [...perBuilding].map(([buildingId, c]) => ({ buildingId, buildingName: names.get(buildingId) ?? '', ...c })),
    pending,
  };
  return { view, round, grid };
}

/** 核酸已采样卡: testing rounds, recording samples, signed cards, verification and coverage. */
export const main = defineFunction('testing', {
  'testing.openRound': {
    input: z
      .object({
        name: text(30),
        date: dateString(),
        points: z.array(text(30)).min(1).max(30),
        validHours: z.number().int().min(1).max(24 * 14),
      })
      .strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const count = await ctx.db.collection('testRounds').where({ communityId: admin.communityId }).count();
      const round: Omit<TestRoundDoc, '_id'> = {
        communityId: admin.communityId,
        code: `R${(count.total ?? 0) + 1}`,
        name: input.name,
        date: input.date,
        points: input.points,
        validHours: input.validHours,
        status: 'open',
        openedAt: ctx.now.toISOString(),
        closedAt: null,
        createdBy: ctx.caller.openid,
      };
      const { id: roundId } = (await ctx.db.collection('testRounds').add(round)) as { id: string };
      return roundView({ _id: roundId, ...round });
    },
  },

  'testing.closeRound': {
    input: z.object({ roundId: id }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const round = await mustGet<TestRoundDoc>(ctx, 'testRounds', input.roundId, '检测轮次');
      if (round.communityId !== admin.communityId) throw new AppError('AUTH.NOT_ADMIN');
      // Closing a closed round answers it as it is (a retried tap).
      if (!next(ROUND_MACHINE, round.status, 'close', 'staff')) return roundView(round);
      const closedAt = ctx.now.toISOString();
      const moved = await transition(ctx.db, 'testRounds', { _id: round._id }, ROUND_MACHINE, 'close', 'staff', { closedAt });
      return roundView(moved.updated ? { ...round, status: moved.to, closedAt } : ((await getDoc<TestRoundDoc>(ctx, 'testRounds', round._id)) ?? round));
    },
  },

  'testing.rounds': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const user = await findUser(ctx);
      if (!user?.communityId) throw new AppError('AUTH.NOT_MEMBER');
      const res = await ctx.db.collection('testRounds').where({ communityId: user.communityId }).orderBy('openedAt', 'desc').limit(100).get();
      return (res.data as TestRoundDoc[]).map(roundView);
    },
  },

  'testing.personCodes': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const { household } = await requireResident(ctx);
      const keys = cardKeys();
      return Promise.all(
        household.members.map(async (m) => {
          const token = signPersonCode({ k: keys.keyId, h: household._id, m: m.id }, keys.secret);
          return { memberId: m.id, nameMasked: maskName(m.name), token, qr: await qrDataUrl(token) };
        }),
      );
    },
  },

  'testing.record': {
    input: z
      .object({ roundId: id, point: text(30), personCode: idString(1000).optional(), householdId: id.optional(), memberId: id.optional() })
      .strict()
      .refine((v) => Boolean(v.personCode) || (Boolean(v.householdId) && Boolean(v.memberId)), { message: '请扫描居民的个人码，或选择住户成员', path: ['personCode'] }),
    async handle(ctx, input) {
      const keys = cardKeys();
      let householdId = input.householdId;
      let memberId = input.memberId;
      if (input.personCode) {
        const person = readPersonCode(input.personCode, keys.publicKeys);
        if (!person) throw new AppError('COMMON.INVALID_INPUT', '这不是本社区的个人码，请让居民出示小程序里的个人码');
        householdId = person.h;
        memberId = person.m;
      }
      const [round, household, user, volunteer] = await Promise.all([
        mustGet<TestRoundDoc>(ctx, 'testRounds', input.roundId, '检测轮次'),
        mustGet<HouseholdDoc>(ctx, 'households', householdId as string, '住户'),
        findUser(ctx),
        getDoc<VolunteerDoc>(ctx, 'volunteers', ctx.caller.openid),
      ]);
      const grid = await mustGet<Grid>(ctx, 'grids', household.gridId, '网格');
      if (!maySample(user, volunteer, grid)) throw new AppError('AUTH.FORBIDDEN', '只有本社区的采样人员可以登记');
      if (round.communityId !== household.communityId) throw new AppError('COMMON.INVALID_INPUT', '该居民不属于本轮检测的社区');
      if (round.status !== 'open') throw new AppError('COMMON.CONFLICT', '本轮检测已结束');
      if (!round.points.includes(input.point)) throw new AppError('COMMON.INVALID_INPUT', '采样点不在本轮检测的采样点中');
      const member = household.members.find((m) => m.id === memberId);
      if (!member) throw new AppError('COMMON.NOT_FOUND', '该住户没有这位成员');

      const sampleId = sampleIdOf(round._id, household._id, member.id);
      // A second scan of the same person in the same round finds the first sample.
      let duplicate = true;
      let sample = await getDoc<SampleDoc>(ctx, 'samples', sampleId);
      if (!sample) {
        const seq = await nextSequence(ctx, `${round._id}:${grid._id}`);
        const sampledAt = ctx.now;
        const serial = serialNumber(round.code, grid._id, seq);
        const token = signCard(
          {
            k: keys.keyId,
            r: round._id,
            s: serial,
            h: household._id,
            g: grid._id,
            m: member.id,
            n: maskName(member.name),
            t: Math.floor(sampledAt.getTime() / 1000),
            e: Math.floor(sampledAt.getTime() / 1000) + round.validHours * 3600,
          },
          keys.secret,
        );
        const fresh: SampleDoc = {
          _id: sampleId,
          roundId: round._id,
          communityId: round.communityId,
          gridId: grid._id,
          buildingId: household.buildingId,
          householdId: household._id,
          memberId: member.id,
          serial,
          sampledAt: sampledAt.toISOString(),
          point: input.point,
          sampler: ctx.caller.openid,
          token,
          result: null,
        };
        try {
          await ctx.db.collection('samples').add(fresh);
          sample = fresh;
          duplicate = false;
        } catch (error) {
          // Scanned twice at the same moment: the other scan's sample stands (its serial is used).
          if (!isDuplicateError(error)) throw error;
          sample = await mustGet<SampleDoc>(ctx, 'samples', sampleId, '采样记录');
        }
      }
      const [community, building] = await Promise.all([
        mustGet<Community>(ctx, 'communities', round.communityId, '社区'),
        mustGet<Building>(ctx, 'buildings', household.buildingId, '楼栋'),
      ]);
      return { duplicate, card: await cardView(ctx, sample, { round, grid, community, building, household }) };
    },
  },

  'testing.myCards': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const { household } = await requireResident(ctx);
      const _ = ctx.db.command;
      const samples = (await ctx.db.collection('samples').where({ householdId: household._id }).orderBy('sampledAt', 'desc').limit(1000).get()).data as SampleDoc[];
      if (samples.length === 0) return [];
      const [rounds, grid, community, building] = await Promise.all([
        ctx.db.collection('testRounds').where({ _id: _.in([...new Set(samples.map((s) => s.roundId))]) }).limit(1000).get(),
        mustGet<Grid>(ctx, 'grids', household.gridId, '网格'),
        mustGet<Community>(ctx, 'communities', household.communityId, '社区'),
        mustGet<Building>(ctx, 'buildings', household.buildingId, '楼栋'),
      ]);
      const byId = new Map((rounds.data as TestRoundDoc[]).map((r) => [r._id, r]));
      return Promise.all(
        samples.filter((s) => byId.has(s.roundId)).map((s) => cardView(ctx, s, { round: byId.get(s.roundId) as TestRoundDoc, grid, community, building, household })),
      );
    },
  },

  'testing.verify': {
    input: z.object({ token: idString(2000), roundId: id.optional(), householdId: id.optional() }).strict(),
    async handle(ctx, input) {
      const user = await findUser(ctx);
      const checker = ['volunteer', 'gridworker', 'groupLeader', 'communityAdmin', 'sampler'] as const;
      if (!user || !checker.some((r) => user.roles.includes(r))) throw new AppError('AUTH.FORBIDDEN', '只有卡点和物资发放人员可以查验');
      // The round checked: the one named (of this community), else the community's open round.
      let round: TestRoundDoc | null = null;
      if (input.roundId) {
        round = await getDoc<TestRoundDoc>(ctx, 'testRounds', input.roundId);
        if (!round || round.communityId !== user.communityId) throw new AppError('COMMON.NOT_FOUND', '没有找到该检测轮次');
      } else if (user.communityId) {
        round = await openRoundOf(ctx, user.communityId);
      }
      const verdict: CardVerdict = verifyCard(input.token, {
        publicKeys: cardKeys().publicKeys,
        now: ctx.now,
        roundId: round?._id,
        householdId: input.householdId,
      });
      const claims = verdict.status === 'invalid' ? null : verdict.claims;
      // With no round to check against, a genuine card can only be "cannot tell", never valid.
      const status: VerifyView['status'] = !round && verdict.status !== 'invalid' ? 'noRound' : verdict.status;
      return {
        status,
        text: VERDICT_TEXT[status],
        checkedRoundId: round?._id ?? null,
        checkedRoundName: round?.name ?? null,
        nameMasked: claims?.n ?? null,
        serial: claims?.s ?? null,
        roundId: claims?.r ?? null,
        sampledAt: claims ? toChinaIso(new Date(claims.t * 1000)) : null,
      };
    },
  },

  'testing.coverage': {
    input: z.object({ roundId: id, gridId: id }).strict(),
    async handle(ctx, input) {
      return (await coverageOf(ctx, input.roundId, input.gridId)).view;
    },
  },

  'testing.exportCoverage': {
    input: z.object({ roundId: id, gridId: id }).strict(),
    async handle(ctx, input) {
      const { view, round, grid } = await coverageOf(ctx, input.roundId, input.gridId);
      return workbook(`${round.name}-${grid.name}-采样统计.xlsx`, [
        {
          name: '分楼栋',
          title: `${round.name} ${grid.name} 采样统计（已采 ${view.sampled} / 应采 ${view.total}）`,
          columns: [
            { header: '楼栋', width: 14 },
            { header: '已采样', width: 10 },
            { header: '应采样', width: 10 },
            { header: '未采样', width: 10 },
          ],
          rows: view.buildings.map((b) => [b.buildingName, b.sampled, b.total, b.total - b.sampled]),
        },
        {
          name: '未采样名单',
          title: `${round.name} ${grid.name} 未采样名单`,
          columns: [
            { header: '楼栋', width: 12 },
            { header: '房号', width: 10 },
            { header: '姓名', width: 12 },
            { header: '特殊人群', width: 16 },
            { header: '敲门情况', width: 14 },
          ],
          rows: view.pending.flatMap((p) =>
            p.members.map((m) => [p.buildingName, p.room, m.nameMasked, m.needs.map((n) => NEED_TEXT[n]).join('、'), p.knock ? KNOCK_TEXT[p.knock] : '']),
          ),
        },
      ]);
    },
  },

  'testing.knock': {
    input: z
      .object({ roundId: id, householdId: id, status: z.enum(['notHome', 'cannotCome', 'refused', 'scheduled']), note: note(100).optional() })
      .strict(),
    async handle(ctx, input) {
      const household = await mustGet<HouseholdDoc>(ctx, 'households', input.householdId, '住户');
      await requireGridStaff(ctx, household.gridId);
      const round = await mustGet<TestRoundDoc>(ctx, 'testRounds', input.roundId, '检测轮次');
      if (round.communityId !== household.communityId) throw new AppError('COMMON.NOT_FOUND', '没有找到该检测轮次');
      await ctx.db
        .collection('knocks')
        .doc(`${input.roundId}:${household._id}`)
        .set({ roundId: input.roundId, gridId: household.gridId, householdId: household._id, status: input.status, note: input.note ?? '', by: ctx.caller.openid, at: ctx.now.toISOString(), day: chinaDay(ctx.now) });
      return { householdId: household._id, status: input.status };
    },
  },

  'testing.recordResult': {
    input: z.object({ roundId: id, householdId: id, memberId: id, result: z.enum(['negative', 'positive']) }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const sample = await mustGet<SampleDoc>(ctx, 'samples', sampleIdOf(input.roundId, input.householdId, input.memberId), '采样记录');
      if (sample.communityId !== admin.communityId || sample.householdId !== input.householdId || sample.memberId !== input.memberId) throw new AppError('COMMON.NOT_FOUND', '没有找到该采样记录');
      // The result is kept beside the sample; the signed card only ever says "sampled".
      await ctx.db.collection('samples').doc(sample._id).update({ result: input.result, resultAt: ctx.now.toISOString(), resultBy: ctx.caller.openid });
      return { serial: sample.serial, result: input.result };
    },
  },

  'testing.book': {
    input: z
      .object({ date: dateString(), memberIds: z.array(id).min(1).max(12) })
      .strict(),
    async handle(ctx, input) {
      const { household } = await requireResident(ctx);
      if (input.date <= chinaDay(ctx.now)) throw new AppError('COMMON.INVALID_INPUT', '只能预约明天及以后的采样');
      const members = input.memberIds.map((m) => household.members.find((x) => x.id === m));
      if (members.some((m) => !m)) throw new AppError('COMMON.NOT_FOUND', '没有这位家庭成员');
      // One booking per person per day: booking again changes nothing.
      await Promise.all(
        input.memberIds.map((memberId) =>
          ctx.db
            .collection('bookings')
            .doc(`${input.date}:${household._id}:${memberId}`)
            .set({ date: input.date, gridId: household.gridId, buildingId: household.buildingId, householdId: household._id, memberId, bookedBy: ctx.caller.openid, at: ctx.now.toISOString() }),
        ),
      );
      return { date: input.date, booked: input.memberIds.length };
    },
  },

  'testing.bookings': {
    input: z.object({ gridId: id, date: dateString() }).strict(),
    async handle(ctx, input) {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      const bookings = await all<{ householdId: string; memberId: string; buildingId: string }>(ctx, 'bookings', { gridId: grid._id, date: input.date });
      if (bookings.length === 0) return [];
      const _ = ctx.db.command;
      const ids = [...new Set(bookings.map((b) => b.householdId))];
      const [households, buildings] = await Promise.all([
        all<HouseholdDoc>(ctx, 'households', { _id: _.in(ids) }),
        all<Building>(ctx, 'buildings', { gridId: grid._id }),
      ]);
      const byId = new Map(households.map((h) => [h._id, h]));
      const names = new Map(buildings.map((b) => [b._id, b.name]));
      return bookings.map((b) => {
        const h = byId.get(b.householdId);
        const member = h?.members.find((m) => m.id === b.memberId);
        return { householdId: b.householdId, buildingName: names.get(b.buildingId) ?? '', room: h?.room ?? '', nameMasked: maskName(member?.name ?? ''), needs: member?.needs ?? [] };
      });
    },
  },

  'testing.publicKeys': {
    public: true,
    input: z.object({}).strict(),
    async handle() {
      return publicKeyList();
    },
  },
});

