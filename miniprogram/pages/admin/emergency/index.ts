/**
 * 解封与数据删除 (community admin, PIPL): declare the emergency over with a retention period, see
 * what the purge will delete (the server's dry run: counts per kind of record and photo files),
 * undo the declaration until the purge begins, and read what past purges deleted.
 */
import type { EmergencyView, PurgeRecordView } from '../../../../typings/api';
import { ApiError, call, newRequestId } from '../../../services/api';
import { showError, showLoadError, showSuccess } from '../../../utils/feedback';
import { chinaWall } from '../../../utils/format';

/** The state of the declaration in one sentence, and its tag. */
export function stateOf(v: EmergencyView): { text: string; tag: string; theme: string } {
  switch (v.status) {
    case 'declared':
      return {
        text: `已于 ${chinaWall(v.declaredAt as string)} 宣布解封（${v.declaredByName ?? ''}），保留 ${v.retentionDays} 天，${chinaWall(v.purgeAt as string)} 起自动删除`,
        tag: '保留期中',
        theme: 'warning',
      };
    case 'purging':
      return { text: '保留期已满，正在分批删除', tag: '正在删除', theme: 'danger' };
    case 'purged':
      return { text: `已于 ${chinaWall(v.purgedAt as string)} 删除完毕`, tag: '已删除', theme: 'success' };
    case 'undone':
      return { text: '解封宣布已撤销，数据未删除', tag: '已撤销', theme: 'default' };
    default:
      return { text: '尚未宣布解封：封控期间的数据照常保存', tag: '封控中', theme: 'primary' };
  }
}

/** A past purge as one card. */
export function recordRow(r: PurgeRecordView) {
  return {
    ...r,
    head: `${chinaWall(r.finishedAt)} 删除完毕`,
    meta: `${chinaWall(r.declaredAt)} 由 ${r.declaredByName} 宣布解封，保留 ${r.retentionDays} 天`,
    totals: `共删除或清除 ${r.documents} 条记录、${r.files} 个照片文件；保留匿名统计 ${r.aggregates} 条`,
    lines: r.steps
      .filter((s) => s.count > 0)
      .map((s) => `${s.label}：${s.count}${s.files ? `（文件 ${s.files}）` : ''}`),
  };
}

/** The typed retention period, or the first thing to fix. */
export function retentionInput(text: string, min = 1, max = 180): { days: number } | { error: string } {
  const days = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || days < min || days > max) return { error: `保留天数请填 ${min}–${max} 之间的整数` };
  return { days };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    failed: false,
    view: null as EmergencyView | null,
    state: null as ReturnType<typeof stateOf> | null,
    records: [] as ReturnType<typeof recordRow>[],
    days: '30',
    asking: '' as '' | 'declare' | 'undo',
    askText: '',
    saving: false,
    /** One id per declaring intent: a retried tap declares once. */
    _requestId: '',
  },
  methods: {
    onLoad() {
      return this.load();
    },
    show(view: EmergencyView) {
      this.setData({
        view,
        state: stateOf(view),
        records: view.records.map(recordRow),
        days: this.data.view ? this.data.days : String(view.retentionDays || view.defaultRetentionDays),
      });
    },
    async load() {
      this.setData({ loading: true, failed: false });
      try {
        const view = await call('org.emergency', {}, { retry: true });
        this.setData({ loading: false });
        this.show(view);
      } catch (error) {
        showLoadError(this, error);
      }
    },
    async onPullDownRefresh() {
      await this.load();
      wx.stopPullDownRefresh();
    },
    onDays(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ days: e.detail.value });
    },
    askDeclare() {
      const checked = retentionInput(this.data.days);
      if ('error' in checked) {
        showError(this, new ApiError('COMMON.INVALID_INPUT', checked.error));
        return;
      }
      const run = this.data.view?.dryRun;
      this.setData({
        asking: 'declare',
        _requestId: newRequestId(),
        askText: `宣布解封后保留 ${checked.days} 天，期满自动删除健康和特殊人群信息（按现在的数据约 ${run?.documents ?? 0} 条记录、${run?.files ?? 0} 个照片文件），只留匿名统计。删除开始前可以撤销。`,
      });
    },
    askUndo() {
      this.setData({ asking: 'undo', askText: '撤销后不会删除任何数据，封控期间的数据照常保存。' });
    },
    cancel() {
      this.setData({ asking: '' });
    },
    async confirm() {
      const what = this.data.asking;
      this.setData({ asking: '', saving: true });
      try {
        const view =
          what === 'declare'
            ? await call(
                'org.declareEnd',
                { retentionDays: Number(this.data.days) },
                { requestId: this.data._requestId },
              )
            : await call('org.undoEnd', {});
        this.setData({ saving: false });
        this.show(view);
        showSuccess(this, what === 'declare' ? '已宣布解封' : '已撤销解封');
      } catch (error) {
        this.setData({ saving: false });
        showError(this, error);
      }
    },
    openLog() {
      wx.navigateTo({ url: '/pages/admin/access-log/index' });
    },
  },
});
