/**
 * 任务详情 (delivery volunteer): what to count at pickup (物资不落地), then door by door — the
 * resident's 取货码, or a photo when nobody answers, or why it could not be delivered. Doors and
 * phones show only while the job is mine.
 */
import type { JobDetailView, JobStopView } from '../../../../typings/api';
import { ApiError, call } from '../../../services/api';
import { pickAndUploadImage } from '../../../services/storage';
import type { OrderStatus } from '../../../../typings/entities';
import { showError, showSuccess } from '../../../utils/feedback';
import { ORDER_STATUS_LABELS } from '../../../utils/labels';

/** The status every door of a job in this state has anyway (not repeated on each door). */
const DOOR_STATUS: Record<JobDetailView['status'], OrderStatus | null> = {
  open: 'accepted',
  assigned: 'assigned',
  pickedUp: 'pickedUp',
  done: 'delivered',
  released: null,
};

/** One door as the page shows it. */
export interface StopRow {
  orderId: string;
  place: string;
  phone: string;
  headName: string;
  lines: JobStopView['lines'];
  linesText: string;
  /** A medicine to buy for this door (what, and that it is bought at a pharmacy). */
  medicineText: string;
  prescriptionFileId: string;
  statusText: string;
  open: boolean;
  flags: string[];
  note: string;
  warn: string;
  code: string;
  counting: boolean;
  counts: Record<string, number>;
  /** A collection round's door still to collect: 已取空瓶 / 空瓶不在门口. */
  collect: boolean;
  /** The gas leg in words ('' for other orders). */
  legText: string;
}

/** Rows for the job's doors, keeping what the volunteer already typed. */
export function stopRows(job: JobDetailView, previous: readonly StopRow[] = []): StopRow[] {
  return job.stops.map((s) => {
    const before = previous.find((p) => p.orderId === s.orderId);
    return {
      orderId: s.orderId,
      place: s.address ?? `${s.floor} 层`,
      phone: s.phone ?? '',
      headName: s.headName ?? '',
      lines: s.lines,
      linesText: s.lines.map((l) => `${l.name}×${l.qty}${l.unit}`).join('，'),
      medicineText: s.medicine ? `代购药品${s.urgent ? '（急）' : ''}：${s.medicineText ?? '接单后显示药名'}` : '',
      prescriptionFileId: s.prescriptionFileId ?? '',
      // A door says its status only when it differs from the job's (not "已派单" on every door).
      statusText: job.collect || s.status === DOOR_STATUS[job.status] ? '' : ORDER_STATUS_LABELS[s.status],
      open: !job.collect && job.status === 'pickedUp' && job.mine && s.status === 'pickedUp',
      collect:
        Boolean(job.collect) &&
        job.mine &&
        (job.status === 'assigned' || job.status === 'pickedUp') &&
        s.legText === '待取空瓶',
      legText: s.legText ?? '',
      flags: [s.priority ? '特殊需求' : '', s.medicine ? '药品' : '', s.contactless ? '无接触' : ''].filter(Boolean),
      note: s.note,
      warn: s.failReason
        ? `未送达：${s.failReason}`
        : s.shortfall.length
          ? `短缺：${s.shortfall.map((x) => `${x.name}少${x.expected - x.counted}${x.unit}`).join('，')}`
          : '',
      code: before?.code ?? '',
      counting: before?.counting ?? false,
      counts: before?.counts ?? Object.fromEntries(s.lines.map((l) => [l.itemId, l.qty])),
    };
  });
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    busy: false,
    id: '',
    job: null as JobDetailView | null,
    counts: {} as Record<string, number>,
    stops: [] as StopRow[],
    /** The dispatch's reasons, opened on tap. */
    why: false,
    failing: false,
    releasing: false,
    /** Asking why the empty was not collected (a collection round's door). */
    missing: false,
    failPresets: ['敲门无人', '电话不通', '地址有误'],
    releasePresets: ['临时有事', '拿不动', '身体不适'],
    missedPresets: ['门口没有空瓶', '敲门无人', '空瓶漏气'],
    _target: '',
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      this.setData({ id: query.id ?? '' });
      return this.load();
    },
    show(job: JobDetailView) {
      const counts = Object.keys(this.data.counts).length
        ? this.data.counts
        : Object.fromEntries(job.totals.map((t) => [t.itemId, t.qty]));
      this.setData({ loading: false, busy: false, job, counts, stops: stopRows(job, this.data.stops) });
    },
    async load() {
      try {
        this.show(await call('dispatch.job', { jobId: this.data.id }));
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    toggleWhy() {
      this.setData({ why: !this.data.why });
    },
    /** The prescription photo, full screen (to show at the pharmacy). */
    viewPrescription(e: WechatMiniprogram.BaseEvent<Record<string, never>, { src: string }>) {
      const src = e.currentTarget.dataset.src;
      if (src) wx.previewImage({ urls: [src], current: src });
    },
    async grab() {
      this.setData({ busy: true });
      try {
        this.show(await call('dispatch.grab', { jobId: this.data.id }));
        showSuccess(this, '抢单成功，请按时取货');
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
    onCount(e: WechatMiniprogram.CustomEvent<{ value: number }, Record<string, never>, { item: string }>) {
      this.setData({ [`counts.${e.currentTarget.dataset.item}`]: Number(e.detail.value) });
    },
    async pickUp() {
      this.setData({ busy: true });
      try {
        const res = await call('dispatch.pickUp', { jobId: this.data.id, counts: this.data.counts });
        const job = this.data.job as JobDetailView;
        // The doors are already on the page; only their status moves.
        const stops = job.stops.map((st) =>
          res.pickedUp.includes(st.orderId) ? { ...st, status: 'pickedUp' as const, statusText: '配送中' } : st,
        );
        this.show({ ...job, ...res.job, stops });
        showSuccess(this, '已取货，请逐户送达');
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
    indexOf(orderId: string): number {
      return this.data.stops.findIndex((s) => s.orderId === orderId);
    },
    onCode(e: WechatMiniprogram.CustomEvent<{ value: string }, Record<string, never>, { id: string }>) {
      this.setData({ [`stops[${this.indexOf(e.currentTarget.dataset.id)}].code`]: e.detail.value });
    },
    toggleCount(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const i = this.indexOf(e.currentTarget.dataset.id);
      this.setData({ [`stops[${i}].counting`]: !this.data.stops[i]?.counting });
    },
    onStopCount(
      e: WechatMiniprogram.CustomEvent<{ value: number }, Record<string, never>, { id: string; item: string }>,
    ) {
      const { id, item } = e.currentTarget.dataset;
      this.setData({ [`stops[${this.indexOf(id)}].counts.${item}`]: Number(e.detail.value) });
    },
    async deliver(stop: StopRow, proof: { code: string } | { photoFileId: string }) {
      this.setData({ busy: true });
      try {
        const res = await call('dispatch.deliver', {
          jobId: this.data.id,
          orderId: stop.orderId,
          ...proof,
          ...(stop.counting ? { counts: stop.counts } : {}),
        });
        showSuccess(
          this,
          res.jobStatus === 'done'
            ? '全部送达，辛苦了！'
            : res.shortfall.length
              ? '已送达，短缺已上报网格员'
              : '已送达',
        );
        await this.load();
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
    withCode(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const stop = this.data.stops[this.indexOf(e.currentTarget.dataset.id)];
      if (!stop) return;
      if (!/^\d{4}$/.test(stop.code.trim())) {
        showError(this, new ApiError('COMMON.INVALID_INPUT', '请输入居民出示的4位取货码'));
        return;
      }
      return this.deliver(stop, { code: stop.code.trim() });
    },
    async withPhoto(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const stop = this.data.stops[this.indexOf(e.currentTarget.dataset.id)];
      if (!stop) return;
      try {
        const fileId = await pickAndUploadImage('proof');
        if (fileId) await this.deliver(stop, { photoFileId: fileId });
      } catch (error) {
        showError(this, error);
      }
    },
    callPhone(e: WechatMiniprogram.BaseEvent<Record<string, never>, { phone: string }>) {
      if (e.currentTarget.dataset.phone) wx.makePhoneCall({ phoneNumber: e.currentTarget.dataset.phone });
    },
    /** 已取空瓶 at a collection round's door (or, with `missed`, why not: it is collected again later). */
    async collectEmpty(orderId: string, missed?: string) {
      this.setData({ busy: true, missing: false });
      try {
        const res = await call('dispatch.collectEmpty', {
          jobId: this.data.id,
          orderId,
          ...(missed ? { missed } : {}),
        });
        showSuccess(
          this,
          res.jobStatus === 'done' ? '这一趟空瓶收完了，辛苦了！' : missed ? '已上报，下次再取' : '已取空瓶',
        );
        await this.load();
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
    collected(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      return this.collectEmpty(e.currentTarget.dataset.id);
    },
    askMissed(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      this.setData({ missing: true, _target: e.currentTarget.dataset.id });
    },
    askFail(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      this.setData({ failing: true, _target: e.currentTarget.dataset.id });
    },
    askRelease() {
      this.setData({ releasing: true });
    },
    closeDialog() {
      this.setData({ failing: false, releasing: false, missing: false });
    },
    /** The reason dialog answered (it refuses an empty reason itself). */
    confirmDialog(e: WechatMiniprogram.CustomEvent<{ reason: string }>) {
      if (this.data.missing) return this.collectEmpty(this.data._target, e.detail.reason);
      return this.data.failing ? this.confirmFail(e.detail.reason) : this.confirmRelease(e.detail.reason);
    },
    async confirmFail(reason: string) {
      this.setData({ failing: false, busy: true });
      try {
        await call('dispatch.fail', { jobId: this.data.id, orderId: this.data._target, reason });
        showSuccess(this, '已上报网格员');
        await this.load();
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
    async confirmRelease(reason: string) {
      this.setData({ releasing: false, busy: true });
      try {
        await call('dispatch.release', { jobId: this.data.id, reason });
        showSuccess(this, '任务已退回');
        await this.load();
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
  },
});
