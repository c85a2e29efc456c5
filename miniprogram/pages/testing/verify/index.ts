/**
 * 查验采样卡: a checkpoint or supply hand-out scans a card. With `?roundId=` only the current
 * round counts; with `?householdId=` (hand-out) only that household's cards.
 */
import type { VerifyView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';

const THEME: Record<VerifyView['status'], 'success' | 'error' | 'warning'> = {
  valid: 'success',
  expired: 'warning',
  otherRound: 'warning',
  otherHolder: 'error',
  invalid: 'error',
  noRound: 'warning',
};

Component({
  data: {
    busy: false,
    roundId: '',
    householdId: '',
    verdict: null as null | { theme: string; text: string; detail: string },
    checkedRound: '',
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      this.setData({ roundId: query.roundId ?? '', householdId: query.householdId ?? '' });
    },
    scan() {
      wx.scanCode({
        onlyFromCamera: true,
        scanType: ['qrCode'],
        success: (res) => void this.check(res.result),
      });
    },
    async check(token: string) {
      this.setData({ busy: true });
      try {
        const v = await call('testing.verify', {
          token,
          ...(this.data.roundId ? { roundId: this.data.roundId } : {}),
          ...(this.data.householdId ? { householdId: this.data.householdId } : {}),
        });
        const detail = v.nameMasked ? `${v.nameMasked} · 编号 ${v.serial} · 采样 ${chinaTime(v.sampledAt as string)}` : '请核实身份';
        // Which round the card was checked against (the named one, else the open round).
        const round = v.checkedRoundName ? `查验轮次：${v.checkedRoundName}` : '查验轮次：当前没有进行中的检测轮次';
        this.setData({ busy: false, verdict: { theme: THEME[v.status], text: v.text, detail }, checkedRound: round });
        if (v.status !== 'valid') wx.vibrateLong({});
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
  },
});
