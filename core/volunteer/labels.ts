/** Chinese labels of the volunteer domain (exports, server texts), from typed maps. */
import type { TimeSlot, VolunteerSkill, VolunteerStatus, VolunteerTeam } from '../../typings/entities';

/** Teams as the seeds name them. */
export const TEAM_TEXT: Record<VolunteerTeam, string> = {
  checkpoint: '卡点值守',
  testing: '核酸检测',
  supplies: '物资发放',
  disinfection: '消毒消杀',
  delivery: '送货配送',
  counselling: '心理疏导',
};

/** Every team, in the order forms list them. */
export const TEAMS = Object.keys(TEAM_TEXT) as VolunteerTeam[];

/** Skills a volunteer declares. */
export const SKILL_TEXT: Record<VolunteerSkill, string> = {
  medical: '医护',
  driving: '驾驶皮卡',
  interpreting: '藏汉双语翻译',
};

/** Times of day a volunteer can serve. */
export const SLOT_TEXT: Record<TimeSlot, string> = {
  morning: '上午',
  afternoon: '下午',
  evening: '晚上',
  night: '夜间',
};

/** A registration's state, as the volunteer reads it. */
export const VOLUNTEER_STATUS_TEXT: Record<VolunteerStatus, string> = {
  pending: '待审核',
  approved: '已通过',
  rejected: '未通过',
  left: '已退出',
};
