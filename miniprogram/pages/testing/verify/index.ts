/**
 * 查验采样卡: a checkpoint or supply hand-out scans a card. With `?roundId=` only the current
 * round counts; with `?householdId=` (hand-out) only that household's cards.
 *
 * Weak networks: the card-signing public keys (`testing.publicKeys`) are kept on the phone; when
 * the network fails the card is verified on the phone with them (utils/card-verify.ts) and the
 * page says so, with the time the keys were fetched.
 */
import type { VerifyView } from '../../../../typings/api';
import { localize, t, type UiState } from '../../../i18n/index';
import { call, isNetworkError } from '../../../services/api';
import { CACHE, keep, kept } from '../../../services/offline';
import { keyMap, verifyCardOffline } from '../../../utils/card-verify';
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

type KeyList = Array<{ keyId: string; publicKey: string }>;
/** The round the last online check was made against, for offline checks without `?roundId=`. */
const LAST_ROUND = 'testing.lastRound';

Component({
  data: {
    busy: false,
    m: {} as Record<string, string>,
    ui: null as UiState | null,
    roundId: '',
    householdId: '',
    verdict: null as null | { theme: string; text: string; detail: string; label: string },
    checkedRound: '',
    /** Set when the last check was made on the phone. */
    offlineText: '',
    keysText: '',
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      localize(this, ['staff.verify']);
      this.setData({ roundId: query.roundId ?? '', householdId: query.householdId ?? '' });
      return this.refreshKeys();
    },
    /** Fetches the public keys while online, so a later check can be made offline. */
    async refreshKeys() {
      try {
        const keys = await call('testing.publicKeys', {}, { retry: true });
        keep<KeyList>(CACHE.publicKeys, keys);
      } catch {
        // Offline now: the kept keys (if any) will do.
      }
      const snapshot = kept<KeyList>(CACHE.publicKeys);
      this.setData({ keysText: snapshot ? t('staff.verify.keysAt', { time: chinaTime(snapshot.at) }) : '' });
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
        if (v.checkedRoundId) keep(LAST_ROUND, { id: v.checkedRoundId, name: v.checkedRoundName ?? '' });
        const detail = v.nameMasked
          ? t('staff.verify.detail', {
              name: v.nameMasked,
              serial: v.serial ?? '',
              time: chinaTime(v.sampledAt as string),
            })
          : t('staff.verify.checkId');
        // Which round the card was checked against (the named one, else the open round).
        const round = v.checkedRoundName
          ? t('staff.verify.round', { name: v.checkedRoundName })
          : t('staff.verify.noRound');
        this.setData({
          busy: false,
          verdict: { theme: THEME[v.status], text: v.text, detail, label: `${v.text} ${detail}` },
          checkedRound: round,
          offlineText: '',
        });
        if (v.status !== 'valid') wx.vibrateLong({});
      } catch (error) {
        this.setData({ busy: false });
        if (isNetworkError(error) && this.checkOffline(token)) return;
        showError(this, error);
      }
    },
    /** Verifies on the phone with the kept keys; false if there are none. */
    checkOffline(token: string): boolean {
      const keys = kept<KeyList>(CACHE.publicKeys);
      if (!keys || !keys.data.length) {
        this.setData({ verdict: null, offlineText: t('staff.verify.noKeys') });
        return false;
      }
      const lastRound = kept<{ id: string; name: string }>(LAST_ROUND);
      const roundId = this.data.roundId || lastRound?.data.id || '';
      const v = verifyCardOffline(token, {
        publicKeys: keyMap(keys.data),
        now: new Date(),
        ...(roundId ? { roundId } : {}),
        ...(this.data.householdId ? { householdId: this.data.householdId } : {}),
      });
      // With no round to check against, a genuine card can only be "cannot tell", as online.
      const status: VerifyView['status'] = !roundId && v.status !== 'invalid' ? 'noRound' : v.status;
      const text = t(`staff.verify.status.${status}`);
      const detail =
        'claims' in v
          ? t('staff.verify.detail', {
              name: v.claims.n,
              serial: v.claims.s,
              time: chinaTime(new Date(v.claims.t * 1000).toISOString()),
            })
          : t('staff.verify.checkId');
      const round = roundId
        ? t('staff.verify.round', { name: this.data.roundId ? roundId : lastRound?.data.name || roundId })
        : t('staff.verify.offlineRound');
      this.setData({
        verdict: { theme: THEME[status], text, detail, label: `${text} ${detail}` },
        checkedRound: round,
        offlineText: t('staff.verify.offline', { time: chinaTime(keys.at) }),
      });
      if (status !== 'valid') wx.vibrateLong({});
      return true;
    },
  },
});
