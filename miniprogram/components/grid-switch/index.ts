/**
 * The grid switcher of staff pages: one row of grid names (never ids) in natural order, each with
 * the work waiting in it, scrolling sideways on a narrow phone. Hidden for staff of one grid.
 * Emits `change` with `{ id }` of the grid tapped.
 */
import { naturalCompare } from '../../generated/natural-sort';

Component({
  properties: {
    /** `{ id, name, waiting }` in the order to show (the server's natural order). */
    grids: { type: Array, value: [] as Array<{ id: string; name: string; waiting: number }> },
    value: { type: String, value: '' },
    /** What the count next to a name means, read out by screen readers (`待处理`). */
    countLabel: { type: String, value: '待处理' },
    /** False on pages whose subject is not the work counted (小票, 个人码…): a bare number there misleads. */
    showCount: { type: Boolean, value: true },
  },
  data: { shown: [] as Array<{ id: string; name: string; waiting: number }> },
  observers: {
    grids(grids: Array<{ id: string; name: string; waiting: number }>) {
      // 第1网格 … 第15网格, whatever order they came in (never 第10网格 first).
      this.setData({ shown: [...grids].sort((a, b) => naturalCompare(a.name, b.name)) });
    },
  },
  methods: {
    pick(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const id = e.currentTarget.dataset.id;
      if (id !== this.data.value) this.triggerEvent('change', { id });
    },
  },
});
