/** The app's privacy popup: shown when WeChat asks for authorisation before a privacy API. */
import { onAuthorizationRequest, settle } from '../../utils/privacy';

const unsubscribers = new WeakMap<object, () => void>();

Component({
  data: { visible: false, contractName: '《网格通小程序隐私保护指引》' },
  lifetimes: {
    attached() {
      unsubscribers.set(this, onAuthorizationRequest(() => this.setData({ visible: true })));
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
