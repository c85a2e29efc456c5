/** The one reason dialog, as the volunteer meets it on 任务详情 (fail a door, hand a job back). */
import type { JobDetailView } from '../../typings/api';
import { flush, loadPage, mockCall, textOf, type RenderedComponent } from '../helpers/page';

jest.setTimeout(30_000);

const detail = (): JobDetailView => ({
  id: 'j1',
  title: '1号楼 2层 · 1户',
  status: 'pickedUp',
  statusText: '配送中',
  buildingNames: ['1号楼'],
  stopCount: 1,
  pendingCount: 1,
  weightKg: 2,
  priority: false,
  medicine: false,
  reason: '',
  reasonShort: '',
  reasonDetails: [],
  volunteerId: 'vol-1',
  volunteerName: '扎*',
  mine: true,
  pickupBy: '2022-08-20T03:00:00Z',
  pickupShortfall: [],
  codeLocked: false,
  totals: [{ itemId: 'item-009', name: '土豆', unit: '斤', qty: 4 }],
  pickupPlace: '社区物资中转站',
  purchases: [],
  stops: [
    {
      orderId: 'o1',
      floor: 2,
      status: 'pickedUp',
      statusText: '配送中',
      address: '1号楼 东201',
      phone: '13800000001',
      headName: '次仁卓玛',
      lines: [{ itemId: 'item-009', name: '土豆', unit: '斤', qty: 4 }],
      priority: false,
      medicine: false,
      medicineText: null,
      urgent: false,
      prescriptionFileId: null,
      contactless: false,
      note: '',
      weightKg: 2,
      shortfall: [],
      failReason: null,
    },
  ],
});

/** The dialog's component inside the page. */
function dialogOf(page: RenderedComponent): RenderedComponent {
  const dialog = page.querySelector('.job__reason-dialog');
  if (!dialog) throw new Error('no reason-dialog on the page');
  return dialog;
}

describe('reason dialog', () => {
  it('refuses an empty reason without calling the server, then sends the one typed', async () => {
    const { calls } = mockCall({
      'dispatch.job': () => ({ ok: true, data: detail() }),
      'dispatch.fail': () => ({
        ok: true,
        data: { orderId: 'o1', status: 'failed', shortfall: [], jobStatus: 'done' },
      }),
    });
    const page = await loadPage('pages/volunteer/job/index', { id: 'j1' });
    page.instance.askFail({ currentTarget: { dataset: { id: 'o1' } } });
    await flush();
    const dialog = dialogOf(page);
    // TDesign draws the title inside t-dialog's own tree, which the test DOM does not show.
    expect(dialog.instance.data).toMatchObject({ visible: true, title: '未送达的原因' });
    expect(textOf(page)).toContain('敲门无人');

    dialog.instance.onConfirm();
    await flush();
    expect(textOf(page)).toContain('请填写原因，对方会看到');
    expect(calls.some((c) => c.action === 'dispatch.fail')).toBe(false);

    dialog.instance.onPreset({ currentTarget: { dataset: { text: '电话不通' } } });
    dialog.instance.onConfirm();
    await flush();
    expect(calls.find((c) => c.action === 'dispatch.fail')?.payload).toEqual({
      jobId: 'j1',
      orderId: 'o1',
      reason: '电话不通',
    });
    expect(page.instance.data.failing).toBe(false);
  });

  it('opens empty each time and trims what was typed', async () => {
    const { calls } = mockCall({
      'dispatch.job': () => ({ ok: true, data: detail() }),
      'dispatch.release': (p) => ({ ok: true, data: { jobId: p.jobId } }),
    });
    const page = await loadPage('pages/volunteer/job/index', { id: 'j1' });
    page.instance.askRelease();
    await flush();
    const dialog = dialogOf(page);
    dialog.instance.onInput({ detail: { value: '  临时有事  ' } });
    page.instance.closeDialog();
    await flush();
    page.instance.askRelease();
    await flush();
    expect(dialog.instance.data.reason).toBe('');
    dialog.instance.onInput({ detail: { value: '  身体不适 ' } });
    dialog.instance.onConfirm();
    await flush();
    expect(calls.find((c) => c.action === 'dispatch.release')?.payload).toEqual({ jobId: 'j1', reason: '身体不适' });
  });
});
