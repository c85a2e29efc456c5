import type { KnockStatus, SpecialNeed } from '../typings/entities';

/** Special needs as the ledger and exports say them. */
export const NEED_TEXT: Record<SpecialNeed, string> = {
  elderlyAlone: '独居老人',
  pregnant: '孕产妇',
  disabled: '残疾人',
  chronic: '慢性病',
  dialysis: '血透',
  other: '其他',
};

/** Door-knock outcomes in exports. */
export const KNOCK_TEXT: Record<KnockStatus, string> = {
  notHome: '敲门无人',
  cannotCome: '需上门采样',
  refused: '拒绝采样',
  scheduled: '已预约',
};
