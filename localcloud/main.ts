/** `npm start`: the local cloud with the demo community, until Ctrl-C. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalCloud } from './app';
import { DEV_TOKEN_HEADER, isLoopbackHost, isValidDevToken, newDevToken } from './dev-token';
import { stopPreviewBuild, warmPreview } from './preview';
import { demoActivity, keepDemoRoundLive } from './seed/demo-activity';
import { database } from '../server/lib/cloud';

/**
 * The dev token of a LAN-bound start: GRIDLINK_DEV_TOKEN, else the one kept beside the data (so a
 * phone that saved it keeps working across restarts), else a new one saved there.
 */
function devToken(dataDir: string): string {
  const given = process.env.GRIDLINK_DEV_TOKEN?.trim();
  if (given) {
    if (!isValidDevToken(given)) throw new Error('GRIDLINK_DEV_TOKEN: 16–128 个字母、数字、_ 或 -');
    return given;
  }
  const file = join(dataDir, 'dev-token');
  const saved = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (isValidDevToken(saved)) return saved;
  const token = newDevToken();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}

/** This machine's LAN addresses (IPv4, not loopback): where a phone on the same Wi-Fi finds it. */
function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => (a as { address: string }).address);
}

async function run(): Promise<void> {
  const dataDir = resolve(process.env.GRIDLINK_DATA_DIR ?? '.data');
  const port = Number(process.env.GRIDLINK_PORT ?? 8787);
  const host = process.env.GRIDLINK_HOST?.trim() || '127.0.0.1';
  const lan = !isLoopbackHost(host);
  // /health says ok only once the seed and the demo activity are done (prepare runs before ready).
  const cloud = await startLocalCloud({
    dataDir,
    port,
    host,
    ...(lan ? { token: devToken(dataDir) } : {}),
    timers: true,
    prepare: async (_url, seeded) => {
      // Ordering stays open in the demo whenever it is started (a round relative to today).
      await keepDemoRoundLive(database());
      return seeded && process.env.GRIDLINK_DEMO_ORDERS !== '0' ? demoActivity(database()) : null;
    },
  });
  const activity = cloud.prepared as Awaited<ReturnType<typeof demoActivity>>;
  warmPreview(); // build the browser preview now (in a child process), so the first page opens at once
  const stats = cloud.db.stats();
  const { port: bound } = new URL(cloud.url);
  const phoneUrls =
    host === '0.0.0.0' || host === '::' ? lanAddresses().map((a) => `http://${a}:${bound}`) : [cloud.url];
  const auth = cloud.token ? `   header ${DEV_TOKEN_HEADER}: <令牌 token>` : '';
  const preview = cloud.token ? `${cloud.url}/?token=${cloud.token}` : `${cloud.url}/`;
  console.log(
    [
      '',
      '网格通 GridLink 本地云已启动 / local cloud running',
      `  打开 ${preview} 预览小程序   (real pages in the browser; see README「浏览器预览」)`,
      `  健康检查 health      GET  ${cloud.url}/health${auth}`,
      `  云函数   functions   POST ${cloud.url}/fn/<name>   header x-gridlink-user: <openid>${auth}`,
      `  数据库   database    ${cloud.dbUrl}   (@cloudbase/node-sdk serviceUrl)`,
      `  演示用户 demo users  GET  ${cloud.url}/dev/users   (dev-admin, dev-gw-01, dev-res-0001, dev-vol-001 …)`,
      `  订阅消息 outbox      GET  ${cloud.url}/dev/outbox?openid=<openid>   (发送状态；微信替身的回答见 /dev/wechat)`,
      `  数据目录 data        ${dataDir} ${cloud.seeded ? '(首次启动，已生成演示社区 / demo community seeded)' : '(沿用已有数据 / reusing data)'}`,
      ...(activity
        ? [
            `  演示订单 demo orders ${activity.placed} 单（${activity.gridId}，已接单 ${activity.accepted}，可在「派单」页一键派单）`,
          ]
        : []),
      `  读写计数 DB ops      reads ${stats.reads}, writes ${stats.writes}`,
      '',
      ...(cloud.token
        ? [
            `  已向局域网开放（GRIDLINK_HOST=${host}）/ reachable on the LAN: 每个请求都要带开发令牌 / every request needs the dev token`,
            `  开发令牌 dev token   ${cloud.token}   (${process.env.GRIDLINK_DEV_TOKEN ? 'GRIDLINK_DEV_TOKEN' : `保存在 ${join(dataDir, 'dev-token')}`})`,
            ...phoneUrls.map((u) => `  手机访问 phone       ${u}`),
            '  真机调试：小程序「本地调试」页填写上面的地址和令牌，再打开本地云开关。',
            '  On the phone (真机调试) enter that address and the token on the 本地调试 page.',
            `  浏览器 browser       ${phoneUrls[0] ?? cloud.url}/?token=${cloud.token}`,
          ]
        : [
            '  小程序连接本地云：开发者工具 → 详情 → 本地设置 → 勾选「不校验合法域名」，',
            '  然后在小程序「本地调试」页打开本地云开关（默认地址 http://127.0.0.1:8787）并选择演示用户。',
            '  In WeChat DevTools turn off domain checks, then switch on the local cloud on the 本地调试 page.',
            '  真机调试（手机经局域网访问）：GRIDLINK_HOST=0.0.0.0 npm start / for a phone on the LAN.',
          ]),
      '',
      '  Ctrl-C 停止 / stop',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: 正在停止本地云并保存数据… / stopping, flushing data…`);
    stopPreviewBuild();
    cloud
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

run().catch((error: unknown) => {
  console.error('[localcloud] failed to start:', error);
  process.exit(1);
});
