/** Stable error codes every cloud function may answer with; the message is Chinese, for the user. */
export type ErrorCode =
  | 'COMMON.INVALID_INPUT'
  | 'COMMON.UNKNOWN_ACTION'
  | 'COMMON.NOT_FOUND'
  | 'COMMON.CONFLICT'
  | 'COMMON.RATE_LIMITED'
  | 'COMMON.INTERNAL'
  | 'AUTH.NO_IDENTITY'
  | 'AUTH.FORBIDDEN'
  | 'AUTH.NOT_MEMBER'
  | 'AUTH.NOT_GRIDWORKER'
  | 'AUTH.NOT_ADMIN'
  | 'AUTH.NOT_VOLUNTEER'
  | 'PRIVACY.CONSENT_REQUIRED'
  | 'JOIN.INVITE_INVALID'
  | 'JOIN.GROUP_UNKNOWN'
  | 'JOIN.ALREADY_MEMBER'
  | 'JOIN.NOT_PENDING'
  | 'HOUSEHOLD.MEMBER_UNKNOWN'
  | 'ORDER.ROUND_CLOSED'
  | 'ORDER.ITEM_UNAVAILABLE'
  | 'ORDER.OUT_OF_STOCK'
  | 'ORDER.QUOTA_EXCEEDED'
  | 'ORDER.CANNOT_CANCEL'
  | 'ORDER.BAD_STATE'
  // ── dispatch (issue 4) ──
  | 'JOB.TAKEN'
  | 'JOB.NOT_YOURS'
  | 'JOB.BAD_STATE'
  | 'JOB.WRONG_CODE'
  | 'JOB.NOT_ON_DUTY'
  | 'JOB.LIMIT_REACHED'
  | 'JOB.CODE_LOCKED'
  // ── organisation (issue 7) ──
  | 'ORG.CODE_INVALID'
  | 'ORG.IMPORT_INVALID'
  // ── volunteers ──
  | 'VOLUNTEER.NOT_REGISTERED'
  | 'VOLUNTEER.NOT_PENDING'
  | 'VOLUNTEER.SHIFT_FULL'
  | 'VOLUNTEER.SHIFT_CLOSED'
  | 'VOLUNTEER.NOT_QUALIFIED'
  | 'VOLUNTEER.CANCEL_CLOSED'
  // ── WeChat Pay (issue 19) ──
  | 'PAY.NOT_PAID'
  | 'PAY.EXPIRED'
  | 'PAY.LINK_INVALID'
  | 'PAY.UNAVAILABLE';

/** One field that failed validation. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** The failure half of every answer. */
export interface ApiFailure {
  ok: false;
  code: ErrorCode;
  message: string;
  issues?: FieldIssue[];
}

/** The success half of every answer. */
export interface ApiSuccess<T> {
  ok: true;
  data: T;
}

/** Every cloud function answers with this envelope. */
export type ApiResult<T> = ApiSuccess<T> | ApiFailure;
