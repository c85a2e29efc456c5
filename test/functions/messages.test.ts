/** @jest-environment node */
/**
 * The one mapping of message kinds to WeChat template keys (server/lib/messages.ts), checked
 * against the local stand-in's rules (localcloud/wechat/apis/subscribe-message.ts): what the code
 * enqueues always becomes data WeChat accepts.
 */
import fc from 'fast-check';
import {
  LOCAL_TEMPLATES,
  typeOfKey,
  validValue,
  type WxTemplate,
} from '../../localcloud/wechat/apis/subscribe-message';
import {
  checkMessageConfig,
  formatValue,
  KEY_TYPES,
  MESSAGE_KINDS,
  mpState,
  ORDER_STATUS_PHRASE,
  orderTitle,
  parseKeys,
  templateConfig,
  templateData,
  wxTime,
  type MessageFields,
} from '../../server/lib/messages';
import { orderStatusMessages } from '../../server/lib/outbox';
import { ORDER_STATUSES, SUBSCRIBE_TEMPLATES, type SubscribeTemplate } from '../../typings/values';

const LOCAL = { GRIDLINK_DB_URL: 'http://127.0.0.1:1/db' };
const standIn = (kind: SubscribeTemplate): WxTemplate =>
  LOCAL_TEMPLATES.find((t) => t.subscription === kind) as WxTemplate;

/** Whether the stand-in would take this data for the template: exactly its keys, every value valid. */
function accepted(template: WxTemplate, data: Record<string, { value: string }>): string[] {
  const problems: string[] = [];
  const keys = Object.keys(template.keys).sort();
  if (JSON.stringify(Object.keys(data).sort()) !== JSON.stringify(keys)) problems.push(`keys ${Object.keys(data)}`);
  for (const [key, { value }] of Object.entries(data))
    if (!validValue(typeOfKey(key), value)) problems.push(`${key}=${JSON.stringify(value)}`);
  return problems;
}

const LONG = '新鲜有机生态农场直供散养土鸡蛋三十枚装精品礼盒（限购一份）';
const SAMPLES: { [K in SubscribeTemplate]: MessageFields[K][] } = {
  orderStatus: [
    { order: '土豆', status: '已取消', note: '气站今日停供' },
    { order: LONG, status: ORDER_STATUS_PHRASE.pickedUp, note: `${LONG}\n请准备好取货码 🙂` },
    { order: '', status: '', note: '' },
  ],
  joinResult: [
    { subject: '加入网格', result: '已通过', note: '欢迎加入网格' },
    { subject: '志愿者报到', result: '未通过', note: '' },
    { subject: 'x'.repeat(50), result: 'OK 123', note: '   ' },
  ],
  notice: [
    { title: '明日全员核酸', body: '请于 8:00 到 1 号采样点' },
    { title: LONG, body: `第一行\n第二行\t${LONG}` },
    { title: '', body: '' },
  ],
};

describe('every kind maps to its template as the stand-in checks it', () => {
  it.each(SUBSCRIBE_TEMPLATES)('%s: default layout, local template id, keys valid by type', (kind) => {
    const config = templateConfig(kind, LOCAL);
    expect(config.problems).toEqual([]);
    expect(config.templateId).toBe(standIn(kind).id);
    for (const fields of SAMPLES[kind]) {
      const built = templateData(config, fields, '2022-08-20T16:30:00.000Z');
      if (!built.ok) throw new Error(built.reason);
      expect(accepted(standIn(kind), built.data)).toEqual([]);
    }
  });

  it('truncates long Chinese names to the thing limit with an ellipsis, and keeps short ones whole', () => {
    const built = templateData(templateConfig('orderStatus', LOCAL), SAMPLES.orderStatus[1]!, '2022-08-20T00:00:00Z');
    if (!built.ok) throw new Error(built.reason);
    const name = built.data.thing1!.value;
    expect(Array.from(name)).toHaveLength(20);
    expect(name.endsWith('…')).toBe(true);
    expect(LONG.startsWith(name.slice(0, -1))).toBe(true);
    expect(built.data.thing4!.value).not.toMatch(/\n|🙂/);
    expect(formatValue('thing', '土豆')).toBe('土豆');
  });

  it('writes times in China time, as WeChat shows them', () => {
    expect(wxTime('2022-08-20T16:30:00.000Z')).toBe('2022年8月21日 00:30');
    const built = templateData(templateConfig('notice', LOCAL), SAMPLES.notice[0]!, '2022-08-20T16:30:00.000Z');
    expect(built).toEqual({
      ok: true,
      data: {
        thing1: { value: '明日全员核酸' },
        thing2: { value: '请于 8:00 到 1 号采样点' },
        time3: { value: '2022年8月21日 00:30' },
      },
    });
  });

  it('gives an empty field its stand-in text (WeChat refuses empty values)', () => {
    const built = templateData(
      templateConfig('orderStatus', LOCAL),
      { order: '', status: '', note: '' },
      '2022-08-20T00:00:00Z',
    );
    expect(built.ok && built.data).toMatchObject({ thing1: { value: '订单' }, phrase2: { value: '已更新' } });
  });

  it('puts every order status in a phrase (≤ 5 Chinese characters) and names orders shortly', () => {
    for (const status of ORDER_STATUSES) expect(validValue('phrase', ORDER_STATUS_PHRASE[status])).toBe(true);
    expect(orderTitle({ lines: [{ name: '大米' }, { name: '鸡蛋' }, { name: '油' }] })).toBe('大米等3件');
    expect(orderTitle({ lines: [], kind: 'medicine' })).toBe('药品');
    expect(orderTitle({ lines: [], kind: 'gas' })).toBe('换气');
    const [msg] = orderStatusMessages(['o1'], { id: 'ord-1', lines: [{ name: '土豆' }] }, 'pickedUp');
    expect(msg).toMatchObject({
      template: 'orderStatus',
      page: 'pages/resident/order-detail/index?id=ord-1',
      data: { order: '土豆', status: '配送中', note: '志愿者已取货，正在配送' },
    });
  });
});

describe('values by key type', () => {
  it('every type formats any text into what the stand-in accepts, or into nothing', () => {
    const types = KEY_TYPES.filter((t) => t !== 'enum' && t !== 'time' && t !== 'date');
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.oneof(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 })),
        (type, text) => {
          const v = formatValue(type, text);
          return v === '' || validValue(type, v);
        },
      ),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), (d) =>
        ['time', 'date'].every((t) => validValue(t, formatValue(t as 'time', d.toISOString()))),
      ),
    );
  });

  it('formats the other types by WeChat rules', () => {
    expect(formatValue('phrase', '配送中（第2次）')).toBe('配送中第次');
    expect(formatValue('character_string', 'SN-2022/08 编号 0001')).toBe('SN-2022/080001');
    expect(formatValue('character_string', 'A'.repeat(40))).toHaveLength(32);
    expect(formatValue('amount', '12.5')).toBe('¥12.50');
    expect(formatValue('number', '共 1,234 件')).toBe('1234');
    expect(formatValue('phone_number', '139 0000 1111')).toBe('13900001111');
    expect(formatValue('name', '格桑次仁多吉扎西平措旺堆')).toBe('格桑次仁多吉扎西平措');
    expect(formatValue('name', 'Tashi Dorje the Younger Son')).toHaveLength(20);
    expect(formatValue('date', '2022-08-20T16:30:00Z')).toBe('2022年8月21日');
  });

  it('the stand-in refuses what WeChat refuses', () => {
    expect(validValue('thing', '一'.repeat(21))).toBe(false);
    expect(validValue('thing', '第一行\n第二行')).toBe(false);
    expect(validValue('phrase', '配送中2')).toBe(false);
    expect(validValue('phrase', '志愿者报到已通过')).toBe(false);
    expect(validValue('character_string', '编号1')).toBe(false);
    expect(validValue('time', '2022-13-01 10:00')).toBe(false);
    expect(validValue('time', '25:00')).toBe(false);
    expect(validValue('time', '2022年8月21日 00:30~2022年8月21日 02:00')).toBe(true);
    expect(validValue('time', '2022年8月21日')).toBe(false);
    expect(validValue('date', '2022年2月30日')).toBe(false);
    expect(validValue('amount', '12.50')).toBe(false);
    expect(validValue('amount', '12.50元')).toBe(true);
    expect(validValue('car_number', '粤A8Z888挂')).toBe(true);
    expect(validValue('enum', '红', ['红', '绿'])).toBe(true);
    expect(validValue('enum', '蓝', ['红', '绿'])).toBe(false);
    expect(validValue('thing', '')).toBe(false);
  });
});

describe('configuration per environment', () => {
  it('reads ids and keys from the environment', () => {
    const env = {
      GRIDLINK_TPL_ORDER_STATUS: 'tpl-abc',
      GRIDLINK_TPL_ORDER_STATUS_KEYS: 'order=thing7, status=phrase3, time=date9',
    };
    expect(templateConfig('orderStatus', env)).toEqual({
      kind: 'orderStatus',
      templateId: 'tpl-abc',
      keys: [
        { field: 'order', key: 'thing7', type: 'thing' },
        { field: 'status', key: 'phrase3', type: 'phrase' },
        { field: 'time', key: 'date9', type: 'date' },
      ],
      problems: [],
    });
    const built = templateData(
      templateConfig('orderStatus', env),
      { order: '土豆', status: '已取消' },
      '2022-08-20T16:30:00Z',
    );
    expect(built).toEqual({
      ok: true,
      data: { thing7: { value: '土豆' }, phrase3: { value: '已取消' }, date9: { value: '2022年8月21日' } },
    });
  });

  it('says what is wrong with a key list, and refuses to build from it', () => {
    expect(
      parseKeys('orderStatus', 'order=thing1,colour=thing2,status=phrase,note=thing1,time=thing5').problems,
    ).toEqual([
      '没有字段“colour”（可用：order、status、time、note）',
      '“phrase”不是微信模板的键（如 thing1、phrase2、time3）',
      '模板键“thing1”写了两次',
      '时间字段只能对应 time 或 date 类型的键，不能是“thing5”',
    ]);
    const bad = templateConfig('notice', { GRIDLINK_TPL_NOTICE: 'x', GRIDLINK_TPL_NOTICE_KEYS: 'title' });
    expect(templateData(bad, { title: 'a', body: 'b' }, '2022-08-20T00:00:00Z')).toMatchObject({ ok: false });
  });

  it('on CloudBase, a missing template id is reported (and locally the stand-in ids are the default)', () => {
    expect(templateConfig('notice', {}).templateId).toBeNull();
    expect(checkMessageConfig({ GRIDLINK_MP_STATE: 'beta' })).toEqual([
      'GRIDLINK_TPL_ORDER_STATUS：未设置模板 ID（订单状态通知）',
      'GRIDLINK_TPL_JOIN_RESULT：未设置模板 ID（审核结果通知）',
      'GRIDLINK_TPL_NOTICE：未设置模板 ID（社区通知）',
      'GRIDLINK_MP_STATE：只能是 formal / trial / developer，不能是“beta”',
    ]);
    expect(
      checkMessageConfig({ GRIDLINK_TPL_ORDER_STATUS: 'a', GRIDLINK_TPL_JOIN_RESULT: 'b', GRIDLINK_TPL_NOTICE: 'c' }),
    ).toEqual([]);
    expect(mpState({})).toBe('formal');
    expect(mpState(LOCAL)).toBe('developer');
    expect(mpState({ GRIDLINK_MP_STATE: 'trial' })).toBe('trial');
    expect(Object.keys(MESSAGE_KINDS).sort()).toEqual([...SUBSCRIBE_TEMPLATES].sort());
  });
});
