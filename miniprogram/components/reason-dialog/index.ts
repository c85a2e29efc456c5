/**
 * The one dialog that asks staff for a reason (reject an order or a join request, report a
 * failed delivery, hand a job back). The person affected reads the reason, so an empty one is
 * refused here, before any call. Emits `confirm` with `{ reason }` (trimmed) and `cancel`.
 */
Component({
  properties: {
    visible: { type: Boolean, value: false },
    title: { type: String, value: '请说明原因' },
    hint: { type: String, value: '' },
    placeholder: { type: String, value: '' },
    confirmText: { type: String, value: '确定' },
    maxlength: { type: Number, value: 100 },
    /** Common reasons offered as one-tap chips. */
    presets: { type: Array, value: [] as string[] },
  },
  data: { reason: '', error: '' },
  observers: {
    visible(open: boolean) {
      if (open) this.setData({ reason: '', error: '' });
    },
  },
  methods: {
    onInput(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ reason: e.detail.value, error: '' });
    },
    onPreset(e: WechatMiniprogram.BaseEvent<Record<string, never>, { text: string }>) {
      this.setData({ reason: e.currentTarget.dataset.text, error: '' });
    },
    onConfirm() {
      const reason = this.data.reason.trim();
      if (!reason) {
        this.setData({ error: '请填写原因，对方会看到' });
        return;
      }
      this.triggerEvent('confirm', { reason });
    },
    onCancel() {
      this.triggerEvent('cancel');
    },
  },
});
