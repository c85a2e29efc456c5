/**
 * What a staff page shows when its data did not load: says so (never an empty list that reads as
 * "nothing to do") and offers 重试. Emits `retry`. The toast of `showLoadError` says why.
 */
Component({
  properties: {
    /** What did not load, in the page's words (`入群申请没有加载出来`). */
    text: { type: String, value: '没有加载出来' },
  },
  methods: {
    retry() {
      this.triggerEvent('retry');
    },
  },
});
