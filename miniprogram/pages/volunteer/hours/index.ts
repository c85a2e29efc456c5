/** 服务时长: the caller's on-duty sessions, completed deliveries and shifts served. */
import type { HoursView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';

/** `95` → `1小时35分钟`. */
function duration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${h}小时${m ? `${m}分钟` : ''}` : `${m}分钟`;
}

/** The sessions as list rows. */
export function sessionRows(hours: HoursView) {
  return hours.sessions.map((s, i) => ({
    key: `${s.startAt}-${i}`,
    when: s.endAt ? `${chinaTime(s.startAt)} – ${chinaTime(s.endAt).slice(6)}` : `${chinaTime(s.startAt)} 起（在岗中）`,
    length: duration(s.minutes),
  }));
}

Component({
  data: {
    loading: true,
    hours: null as HoursView | null,
    rows: [] as ReturnType<typeof sessionRows>,
  },
  methods: {
    onLoad() {
      return this.load();
    },
    async load() {
      try {
        const hours = await call('volunteer.myHours', {});
        this.setData({ loading: false, hours, rows: sessionRows(hours) });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
  },
});
