/**
 * 注销账号 (PIPL): what closing the account deletes and what stays (not linked to the person any
 * more), a confirm dialog, then `user.close`. The server decides who may (staff and registered
 * volunteers are told what to do first) and its message is shown as it says it.
 */
import type { ClosureView } from '../../../../typings/api';
import { localize, type UiState } from '../../../i18n/index';
import { call, newRequestId } from '../../../services/api';
import { showError } from '../../../utils/feedback';

/** What goes and what stays, as message ids (the page shows them in the resident's language). */
export const GOES = ['close.goes.account', 'close.goes.household', 'close.goes.shared', 'close.goes.volunteer'];
export const KEEPS = ['close.keeps.orders', 'close.keeps.log'];

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    m: {} as Record<string, string>,
    ui: null as UiState | null,
    goes: GOES,
    keeps: KEEPS,
    asking: false,
    closing: false,
    done: null as ClosureView | null,
    /** One id for this closure: a retry after a lost answer is the same closure. */
    _requestId: '',
  },
  methods: {
    onLoad() {
      localize(this, ['close']);
    },
    onShow() {
      localize(this, ['close']);
    },
    ask() {
      if (this.data.closing) return;
      this.setData({ asking: true, _requestId: this.data._requestId || newRequestId() });
    },
    cancel() {
      this.setData({ asking: false });
    },
    async confirm() {
      this.setData({ asking: false, closing: true });
      try {
        const done = await call('user.close', { confirm: true }, { requestId: this.data._requestId });
        this.setData({ closing: false, done });
      } catch (error) {
        this.setData({ closing: false });
        showError(this, error);
      }
    },
    home() {
      wx.reLaunch({ url: '/pages/index/index' });
    },
    privacy() {
      wx.navigateTo({ url: '/pages/privacy/index' });
    },
  },
});
