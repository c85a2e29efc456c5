/** Samples and the signed 已采样 cards: person codes, recording, one's cards, verification, the public keys. */
import {
  readPersonCode,
  serialNumber,
  signCard,
  signPersonCode,
  verifyCard,
  type CardVerdict,
} from '../../../core/card/token';
import { AppError } from '../../../core/errors';
import { maskName } from '../../../core/mask';
import { toChinaIso } from '../../../core/time';
import type { CardView, VerifyView } from '../../../typings/api';
import type { Building, Community, Grid, HouseholdDoc, SampleDoc, TestRoundDoc } from '../../../typings/entities';
import { getDoc, mustGet, requireGridStaff, requireResident } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { cardKeys, publicKeyList } from '../../lib/card-keys';
import { defineActions, type CallContext } from '../../lib/define-function';
import { qrDataUrl } from '../../lib/query';
import { findUser } from '../../lib/users';
import { idString, text, z } from '../../lib/validate';
import { openTestRound } from '../../lib/test-rounds';
import { id, maySample, maySeeResults, sampleIdOf } from './shared';

const VERDICT_TEXT: Record<VerifyView['status'], string> = {
  valid: '有效：已在本轮采样',
  expired: '已过期：请参加最新一轮核酸采样',
  otherRound: '不是本轮的采样卡',
  otherHolder: '不是本户的采样卡',
  invalid: '无效：采样卡被修改或不是本社区签发',
  noRound: '无法判定：本社区当前没有进行中的检测轮次，请联系社区确认',
};

async function cardView(
  ctx: CallContext,
  s: SampleDoc,
  names: { round: TestRoundDoc; grid: Grid; community: Community; building: Building; household: HouseholdDoc },
): Promise<CardView> {
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
    const current = await getDoc(ctx, 'counters', counterId);
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

export const sampleActions = defineActions('testing', {
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

  /**
   * A household's personal codes for a printed sheet (an elder without a phone is sampled and
   * verified from paper): its grid's staff only; names masked.
   */
  'testing.householdCodes': {
    input: z.object({ householdId: id }).strict(),
    async handle(ctx, input) {
      const household = await mustGet(ctx, 'households', input.householdId, '住户');
      const { grid } = await requireGridStaff(ctx, household.gridId);
      const [community, building] = await Promise.all([
        mustGet(ctx, 'communities', household.communityId, '社区'),
        mustGet(ctx, 'buildings', household.buildingId, '楼栋'),
      ]);
      const keys = cardKeys();
      const codes = await Promise.all(
        household.members.map(async (m) => {
          const token = signPersonCode({ k: keys.keyId, h: household._id, m: m.id }, keys.secret);
          return { memberId: m.id, nameMasked: maskName(m.name), token, qr: await qrDataUrl(token) };
        }),
      );
      return {
        householdId: household._id,
        place: `${building.name} ${household.room}`,
        gridName: grid.name,
        communityName: community.name,
        codes,
      };
    },
  },

  'testing.record': {
    input: z
      .object({
        roundId: id,
        point: text(30),
        personCode: idString(1000).optional(),
        householdId: id.optional(),
        memberId: id.optional(),
      })
      .strict()
      .refine((v) => Boolean(v.personCode) || (Boolean(v.householdId) && Boolean(v.memberId)), {
        message: '请扫描居民的个人码，或选择住户成员',
        path: ['personCode'],
      }),
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
        mustGet(ctx, 'testRounds', input.roundId, '检测轮次'),
        mustGet(ctx, 'households', householdId as string, '住户'),
        findUser(ctx),
        getDoc(ctx, 'volunteers', ctx.caller.openid),
      ]);
      const grid = await mustGet(ctx, 'grids', household.gridId, '网格');
      if (!maySample(user, volunteer, grid)) throw new AppError('AUTH.FORBIDDEN', '只有本社区的采样人员可以登记');
      if (round.communityId !== household.communityId)
        throw new AppError('COMMON.INVALID_INPUT', '该居民不属于本轮检测的社区');
      if (round.status !== 'open') throw new AppError('COMMON.CONFLICT', '本轮检测已结束');
      if (!round.points.includes(input.point))
        throw new AppError('COMMON.INVALID_INPUT', '采样点不在本轮检测的采样点中');
      const member = household.members.find((m) => m.id === memberId);
      if (!member) throw new AppError('COMMON.NOT_FOUND', '该住户没有这位成员');

      const sampleId = sampleIdOf(round._id, household._id, member.id);
      // A second scan of the same person in the same round finds the first sample.
      let duplicate = true;
      let sample = await getDoc(ctx, 'samples', sampleId);
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
          sample = await mustGet(ctx, 'samples', sampleId, '采样记录');
        }
      }
      const [community, building] = await Promise.all([
        mustGet(ctx, 'communities', round.communityId, '社区'),
        mustGet(ctx, 'buildings', household.buildingId, '楼栋'),
      ]);
      const card = await cardView(ctx, sample, { round, grid, community, building, household });
      // A second scan shows the card again: its result only to the admin and the grid's gridworker.
      return { duplicate, card: maySeeResults(user, grid) ? card : { ...card, result: null } };
    },
  },

  'testing.myRecords': {
    input: z.object({ roundId: id }).strict(),
    async handle(ctx, input) {
      const [round, user] = await Promise.all([mustGet(ctx, 'testRounds', input.roundId, '检测轮次'), findUser(ctx)]);
      if (round.communityId !== user?.communityId) throw new AppError('COMMON.NOT_FOUND', '没有找到该检测轮次');
      // The sampler's own records in this round, whatever phone or session they were made from.
      const res = await ctx.db.collection('samples').where({ roundId: round._id, sampler: ctx.caller.openid }).count();
      return { roundId: round._id, recorded: res.total ?? 0 };
    },
  },

  'testing.myCards': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const { household } = await requireResident(ctx);
      const _ = ctx.db.command;
      const samples = (
        await ctx.db
          .collection('samples')
          .where({ householdId: household._id })
          .orderBy('sampledAt', 'desc')
          .limit(1000)
          .get()
      ).data as SampleDoc[];
      if (samples.length === 0) return [];
      const [rounds, grid, community, building] = await Promise.all([
        ctx.db
          .collection('testRounds')
          .where({ _id: _.in([...new Set(samples.map((s) => s.roundId))]) })
          .limit(1000)
          .get(),
        mustGet(ctx, 'grids', household.gridId, '网格'),
        mustGet(ctx, 'communities', household.communityId, '社区'),
        mustGet(ctx, 'buildings', household.buildingId, '楼栋'),
      ]);
      const byId = new Map((rounds.data as TestRoundDoc[]).map((r) => [r._id, r]));
      // The latest round first; within a round the household head's card first, then as the members are listed.
      const roundRank = new Map<string, number>();
      for (const s of samples) if (!roundRank.has(s.roundId)) roundRank.set(s.roundId, roundRank.size);
      const memberRank = (memberId: string) => {
        const i = household.members.findIndex((m) => m.id === memberId);
        const head = household.members[i]?.relation === 'self' ? -1 : 0;
        return i < 0 ? household.members.length : head * household.members.length + i;
      };
      const ordered = samples
        .filter((s) => byId.has(s.roundId))
        .sort(
          (a, b) =>
            (roundRank.get(a.roundId) ?? 0) - (roundRank.get(b.roundId) ?? 0) ||
            memberRank(a.memberId) - memberRank(b.memberId),
        );
      return Promise.all(
        ordered.map((s) =>
          cardView(ctx, s, { round: byId.get(s.roundId) as TestRoundDoc, grid, community, building, household }),
        ),
      );
    },
  },

  'testing.verify': {
    input: z.object({ token: idString(2000), roundId: id.optional(), householdId: id.optional() }).strict(),
    async handle(ctx, input) {
      const user = await findUser(ctx);
      const checker = ['volunteer', 'gridworker', 'groupLeader', 'communityAdmin', 'sampler'] as const;
      if (!user || !checker.some((r) => user.roles.includes(r)))
        throw new AppError('AUTH.FORBIDDEN', '只有卡点和物资发放人员可以查验');
      // The round checked: the one named (of this community), else the community's open round.
      let round: TestRoundDoc | null = null;
      if (input.roundId) {
        round = await getDoc(ctx, 'testRounds', input.roundId);
        if (!round || round.communityId !== user.communityId)
          throw new AppError('COMMON.NOT_FOUND', '没有找到该检测轮次');
      } else if (user.communityId) {
        round = await openTestRound(ctx, user.communityId);
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

  'testing.publicKeys': {
    public: true,
    input: z.object({}).strict(),
    async handle() {
      return publicKeyList();
    },
  },
});
