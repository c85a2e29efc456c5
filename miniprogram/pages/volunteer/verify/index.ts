/** 查验志愿者证: the checkpoint scans a volunteer's card; the signature and the status online decide. */
import type { VolunteerVerifyView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError } from '../../../utils/feedback';

const THEME: Record<VolunteerVerifyView['status'], 'success' | 'error' | 'warning'> = {
  valid: 'success',
  expired: 'warning',
  revoked: 'error',
  invalid: 'error',
};

/** What the verdict card says. */
export function verdictCard(v: VolunteerVerifyView) {
  const who = v.nameMasked ? [v.nameMasked, v.teamText, v.communityName].filter(Boolean).join(' · ') : '请核实身份';
  const duty = v.onDuty === null ? '' : v.onDuty ? ' · 在岗' : ' · 未上岗';
  return { theme: THEME[v.status], text: v.text, detail: `${who}${v.status === 'valid' ? duty : ''}` };
}

Component({
  data: {
    busy: false,
    verdict: null as ReturnType<typeof verdictCard> | null,
  },
  methods: {
    scan() {
      wx.scanCode({ onlyFromCamera: true, scanType: ['qrCode'], success: (res) => void this.check(res.result) });
    },
    async check(token: string) {
      this.setData({ busy: true });
      try {
        const v = await call('volunteer.verifyCard', { token });
        this.setData({ busy: false, verdict: verdictCard(v) });
        if (v.status !== 'valid') wx.vibrateLong({});
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
  },
});
