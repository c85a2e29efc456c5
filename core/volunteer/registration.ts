/**
 * Registration (报到) and review rules of volunteers: what a valid registration is, what
 * registering again does, who may review whom. Pure: the clock comes in.
 */
import type { VolunteerInput } from '../../typings/api';
import type { FieldIssue } from '../../typings/errors';
import type { HealthDeclaration, UserDoc, VolunteerDoc, VolunteerTeam } from '../../typings/entities';

/** A mainland mobile number. */
export const VOLUNTEER_PHONE_PATTERN = /^1[3-9]\d{9}$/;

/** A real name: Chinese (Tibetan names in Chinese included, with ·), or Latin letters. */
export const REAL_NAME_PATTERN = /^(?:[\u4e00-\u9fa5·]{2,20}|[A-Za-z][A-Za-z .·-]{1,39})$/;

/** What the registration form sends (after shape validation): the contract's `VolunteerInput`. */
export type RegistrationInput = VolunteerInput;

/**
 * Every problem of a registration, each with a clear Chinese message (the page shows them beside
 * the fields; the function refuses with the first). `knownGridIds`: the grids of the community;
 * `storedPhone`: the number kept from an earlier registration, if any.
 */
export function registrationIssues(
  input: RegistrationInput,
  knownGridIds?: readonly string[],
  storedPhone?: string,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const name = input.name.trim();
  if (!name) add('name', '请填写真实姓名');
  else if (!REAL_NAME_PATTERN.test(name)) add('name', '请填写身份证上的真实姓名（2–20个汉字）');
  const phone = input.phone?.trim() || storedPhone || '';
  if (!VOLUNTEER_PHONE_PATTERN.test(phone)) add('phone', '请填写11位手机号');
  if (input.partyMember && !(input.partyBranch ?? '').trim()) add('partyBranch', '党员请填写所在党支部');
  if (!input.workUnit.trim()) add('workUnit', '请填写工作单位（无单位可填“无”或“退休”）');
  if (!input.communityId) add('communityId', '请选择报到的社区');
  if (input.gridIds.length === 0) add('gridIds', '请至少选择一个可以服务的网格');
  else if (knownGridIds && input.gridIds.some((g) => !knownGridIds.includes(g))) add('gridIds', '所选网格不属于该社区');
  if (input.teamsWished.length === 0) add('teamsWished', '请至少选择一个意向服务队');
  if (input.slots.length === 0) add('slots', '请至少选择一个可服务时段');
  if (!input.health.noSymptoms) add('health.noSymptoms', '近14天有发热、咳嗽等症状的，暂不能参加志愿服务');
  if (!input.health.noRiskContact) add('health.noRiskContact', '近14天有风险接触或到过风险地区的，暂不能参加志愿服务');
  if (!input.health.promise) add('health.promise', '请承诺按时参加核酸检测、如实报告健康变化');
  return issues;
}

/**
 * The volunteer document after (re-)registering: one per person. An approved volunteer who only
 * edits their details stays approved; changing community, or registering after a rejection or
 * leaving, starts a new review. An approved volunteer asking for grids or teams not approved
 * before gets a pending change to review: what was approved stays in force meanwhile (grids or
 * teams dropped are dropped at once — serving less needs no review).
 */
export function applyRegistration(
  existing: VolunteerDoc | null,
  input: RegistrationInput,
  openid: string,
  now: Date,
): VolunteerDoc {
  const at = now.toISOString();
  const health: HealthDeclaration = { ...input.health, declaredAt: at };
  const profile = {
    name: input.name.trim(),
    phone: input.phone?.trim() || existing?.phone || '',
    partyMember: input.partyMember,
    partyBranch: input.partyMember ? (input.partyBranch ?? '').trim() : null,
    workUnit: input.workUnit.trim(),
    communityId: input.communityId,
    gridIds: [...new Set(input.gridIds)],
    teamsWished: [...new Set(input.teamsWished)],
    skills: [...new Set(input.skills)],
    slots: [...new Set(input.slots)],
    health,
    updatedAt: at,
  };
  const keepsReview = existing?.status === 'approved' && existing.communityId === input.communityId;
  if (existing && keepsReview) {
    const addedGrids = profile.gridIds.filter((g) => !existing.gridIds.includes(g));
    const addedTeams = profile.teamsWished.filter((t) => !existing.teamsWished.includes(t));
    const keptTeams = existing.teamsWished.filter((t) => profile.teamsWished.includes(t));
    return {
      ...existing,
      ...profile,
      gridIds: existing.gridIds.filter((g) => profile.gridIds.includes(g)),
      teamsWished: keptTeams.length ? keptTeams : existing.teamsWished,
      buildingIds: existing.buildingIds,
      pendingChange:
        addedGrids.length || addedTeams.length
          ? { gridIds: profile.gridIds, teamsWished: profile.teamsWished, requestedAt: at }
          : null,
    };
  }
  if (existing && existing.status === 'pending') {
    return { ...existing, ...profile, buildingIds: [], pendingChange: null };
  }
  return {
    _id: openid,
    ...profile,
    status: 'pending',
    team: null,
    buildingIds: [],
    onDuty: false,
    capacityKg: existing?.capacityKg ?? 15,
    rejectReason: null,
    reviewedBy: null,
    reviewedAt: null,
    dutySince: null,
    lastActiveAt: existing?.lastActiveAt ?? null,
    createdAt: existing?.createdAt ?? at,
    leftAt: null,
    pendingChange: null,
  };
}

/**
 * Whether a user may review and see a volunteer: the admin of the volunteer's community, or a
 * gridworker of one of the grids the volunteer serves or asks to serve (a pending change).
 */
export function mayManage(
  user: Pick<UserDoc, 'roles' | 'communityId' | 'adminGridIds'> | null,
  v: Pick<VolunteerDoc, 'communityId' | 'gridIds' | 'pendingChange'>,
): boolean {
  if (!user) return false;
  if (user.roles.includes('communityAdmin') && user.communityId === v.communityId) return true;
  const grids = [...v.gridIds, ...(v.pendingChange?.gridIds ?? [])];
  return user.roles.includes('gridworker') && grids.some((g) => user.adminGridIds.includes(g));
}

/** Problems of an approval: a team is required; buildings must belong to the volunteer's grids. */
export function approvalIssues(
  input: { team?: VolunteerTeam; buildingIds?: string[]; capacityKg?: number },
  buildingsOfGrids: readonly string[],
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!input.team) issues.push({ path: 'team', message: '请为志愿者分配服务队' });
  if ((input.buildingIds ?? []).some((b) => !buildingsOfGrids.includes(b)))
    issues.push({ path: 'buildingIds', message: '所选楼栋不在该志愿者服务的网格内' });
  if (input.capacityKg !== undefined && (input.capacityKg < 1 || input.capacityKg > 50))
    issues.push({ path: 'capacityKg', message: '单次配送重量应在 1–50 公斤之间' });
  return issues;
}
