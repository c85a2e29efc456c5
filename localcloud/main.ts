/** `npm start`: the local cloud with the demo community, until Ctrl-C. */
import { resolve } from 'node:path';
import { startLocalCloud } from './app';
import { stopPreviewBuild, warmPreview } from './preview';
import { demoActivity, keepDemoRoundLive } from './seed/demo-activity';
import { database } from '../server/lib/cloud';

async function run(): Promise<void> {
  const dataDir = resolve(process.env.GRIDLINK_DATA_DIR ?? '.data');
  const port = Number(process.env.GRIDLINK_PORT ?? 8787);
  // /health says ok only once the seed and the demo activity are done (prepare runs before ready).
  const cloud = await startLocalCloud({
    dataDir,
    port,
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
  console.log(
    [
      '',
      '网格通 GridLink 本地云已启动 / local cloud running',
      `  打开 ${cloud.url}/ 预览小程序   (real pages in the browser; see README「浏览器预览」)`,
      `  健康检查 health      GET  ${cloud.url}/health`,
      `  云函数   functions   POST ${cloud.url}/fn/<name>   header x-gridlink-user: <openid>`,
      `  数据库   database    ${cloud.dbUrl}   (@cloudbase/node-sdk serviceUrl)`,
      `  演示用户 demo users  GET  ${cloud.url}/dev/users   (dev-admin, dev-gw-01, dev-res-0001, dev-vol-001 …)`,
      `  订阅消息 outbox      GET  ${cloud.url}/dev/outbox?openid=<openid>   (本地不真正发送 / not sent locally)`,
      `  数据目录 data        ${dataDir} ${cloud.seeded ? '(首次启动，已生成演示社区 / demo community seeded)' : '(沿用已有数据 / reusing data)'}`,
      ...(activity
        ? [
            `  演示订单 demo orders ${activity.placed} 单（${activity.gridId}，已接单 ${activity.accepted}，可在「派单」页一键派单）`,
          ]
        : []),
      `  读写计数 DB ops      reads ${stats.reads}, writes ${stats.writes}`,
      '',
      '  小程序连接本地云：开发者工具 → 详情 → 本地设置 → 勾选「不校验合法域名」，',
      '  然后在小程序「本地调试」页打开本地云开关（默认地址 http://127.0.0.1:8787）并选择演示用户。',
      '  In WeChat DevTools turn off domain checks, then switch on the local cloud on the 本地调试 page.',
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
