/** Chinese labels of the volunteer domain (exports, server texts); one source: typings/values.ts. */
import { VOLUNTEER_TEAMS, type VolunteerTeam } from '../../typings/values';

export {
  SKILL_LABELS as SKILL_TEXT,
  TEAM_LABELS as TEAM_TEXT,
  VOLUNTEER_STATUS_LABELS as VOLUNTEER_STATUS_TEXT,
} from '../../typings/values';

/** Every team, in the order forms list them. */
export const TEAMS: readonly VolunteerTeam[] = VOLUNTEER_TEAMS;
