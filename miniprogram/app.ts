import { CLOUD_ENV, devConfig } from './config';
import { installPrivacyHook } from './utils/privacy';

App({
  onLaunch() {
    if (!devConfig().localCloud && wx.cloud) wx.cloud.init({ env: CLOUD_ENV, traceUser: true });
    installPrivacyHook();
  },
});
