import type { ApiFailure, ErrorCode, FieldIssue } from '../typings/errors';

/** Default Chinese message for each code; a call site may give a more precise one. */
export const ERROR_MESSAGES: Record<ErrorCode, string> = {
  'COMMON.INVALID_INPUT': '填写的内容有误，请检查后再试',
  'COMMON.UNKNOWN_ACTION': '不支持的操作',
  'COMMON.NOT_FOUND': '没有找到相关记录',
  'COMMON.CONFLICT': '数据已被他人修改，请刷新后重试',
  'COMMON.RATE_LIMITED': '操作太频繁，请稍后再试',
  'COMMON.INTERNAL': '系统繁忙，请稍后再试',
  'AUTH.NO_IDENTITY': '无法识别您的身份，请在微信中重新打开小程序',
  'AUTH.FORBIDDEN': '您没有权限进行此操作',
  'AUTH.NOT_MEMBER': '请先加入您所在的网格',
  'AUTH.NOT_GRIDWORKER': '此操作仅限本网格的网格员',
  'AUTH.NOT_ADMIN': '此操作仅限社区管理员',
  'AUTH.NOT_VOLUNTEER': '此操作仅限已通过审核的志愿者',
  'PRIVACY.CONSENT_REQUIRED': '需要您同意相关信息的收集后才能继续',
  'JOIN.INVITE_INVALID': '邀请码无效或已过期，请向网格员重新获取',
  'JOIN.GROUP_UNKNOWN': '这个微信群还没有绑定网格，请联系网格员',
  'JOIN.ALREADY_MEMBER': '您已经加入了网格',
  'JOIN.NOT_PENDING': '该申请已处理过了',
  'HOUSEHOLD.MEMBER_UNKNOWN': '这位成员不是本户的成员，请刷新后重新编辑家庭成员',
  'ORDER.ROUND_CLOSED': '本批次已截单，请等待下一批次',
  'ORDER.ITEM_UNAVAILABLE': '商品已下架',
  'ORDER.OUT_OF_STOCK': '库存不足，已售完',
  'ORDER.QUOTA_EXCEEDED': '超过每户限购数量',
  'ORDER.CANNOT_CANCEL': '网格员已接单、开始备货，不能再取消，请联系网格员',
  'ORDER.BAD_STATE': '订单状态已变化，请刷新后查看',
  // ── dispatch (issue 4) ──
  'JOB.TAKEN': '手慢了，这个任务已被其他志愿者接走',
  'JOB.NOT_YOURS': '这个任务不在您名下',
  'JOB.BAD_STATE': '任务状态已变化，请刷新后查看',
  'JOB.WRONG_CODE': '取货码不对，请核对居民出示的取货码',
  'JOB.NOT_ON_DUTY': '请先在志愿者页面上岗，再接配送任务',
  'JOB.LIMIT_REACHED': '你手上的任务已达上限，请先送完再接单',
  'JOB.CODE_LOCKED': '取货码错误次数过多，请拍照留证或请网格员确认交付',
  // ── organisation (issue 7) ──
  'ORG.CODE_INVALID': '邀请码无效、已过期或已用完，请向社区管理员重新获取',
  'ORG.IMPORT_INVALID': '表格有错误，请按提示修改后重新导入',
  // ── volunteers ──
  'VOLUNTEER.NOT_REGISTERED': '您还没有报名志愿者，请先报到',
  'VOLUNTEER.NOT_PENDING': '该报名已处理过了',
  'VOLUNTEER.SHIFT_FULL': '该班次人数已满，请选择其他班次',
  'VOLUNTEER.SHIFT_CLOSED': '该班次已开始或已取消，不能报名',
  'VOLUNTEER.NOT_QUALIFIED': '您不符合该班次的要求',
  'VOLUNTEER.CANCEL_CLOSED': '已过取消截止时间，如有急事请联系社区管理员',
  // ── WeChat Pay (issue 19) ──
  'PAY.NOT_PAID': '该订单还没有完成微信支付，支付后才能接单',
  'PAY.EXPIRED': '支付已超时，订单已取消，请重新下单',
  'PAY.LINK_INVALID': '代付链接无效或已过期，请让家人重新分享',
  'PAY.UNAVAILABLE': '微信支付暂时不可用，请稍后再试，或选择货到付现金',
};

/** An expected failure, carried as a value up to the function's envelope. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message ?? ERROR_MESSAGES[code]);
    this.name = 'AppError';
  }

  /** The wire form of this failure. */
  toFailure(): ApiFailure {
    const failure: ApiFailure = { ok: false, code: this.code, message: this.message };
    if (this.issues?.length) failure.issues = this.issues;
    return failure;
  }
}
