/** The app's privacy popup: shown when WeChat asks for authorisation before a privacy API. */
import { messages, uiState, type UiState } from '../../i18n/index';
import { onAuthorizationRequest, settle } from '../../utils/privacy';

const unsubscribers = new WeakMap<object, () => void>();

Component({
  data: { visible: false, contractName: '', m: {} as Record<string, string>, ui: null as UiState | null },
  lifetimes: {
    attached() {
      const ui = uiState();
      const m = messages(['privacy'], ui.lang);
      this.setData({ ui, m, contractName: m['privacy.contract'] ?? '' });
      unsubscribers.set(
        this,
        onAuthorizationRequest(() => this.setData({ visible: true, ui: uiState(), m: messages(['privacy']) })),
      );
      if (typeof wx.getPrivacySetting === 'function') {
        wx.getPrivacySetting({
          success: (res) => {
            if (res.privacyContractName) this.setData({ contractName: res.privacyContractName });
          },
        });
      }
    },
    detached() {
      unsubscribers.get(this)?.();
      unsubscribers.delete(this);
    },
  },
  methods: {
    onAgree() {
      settle('agree', 'agree-btn');
      this.setData({ visible: false });
    },
    onDisagree() {
      settle('disagree');
      this.setData({ visible: false });
    },
    openContract() {
      if (typeof wx.openPrivacyContract === 'function') wx.openPrivacyContract({});
      else wx.navigateTo({ url: '/pages/privacy/index' });
    },
  },
});
