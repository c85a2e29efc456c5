// Builds miniprogram/miniprogram_npm from package.json `dependencies` (tdesign-miniprogram, dayjs)
// the way WeChat DevTools' 构建 npm does, offline and with no appid (miniprogram-ci packNpmManually).
const path = require('node:path');
const ci = require('miniprogram-ci');

const root = path.resolve(__dirname, '..');

async function main() {
  const started = Date.now();
  const result = await ci.packNpmManually({
    packageJsonPath: path.join(root, 'package.json'),
    miniprogramNpmDistDir: path.join(root, 'miniprogram'),
  });
  const packed = result && typeof result === 'object' ? ` (${result.miniProgramPackNum ?? '?'} packages)` : '';
  console.log(`[pack-npm] miniprogram/miniprogram_npm built in ${Date.now() - started} ms${packed}`);
}

main().catch((error) => {
  console.error('[pack-npm] failed:', error);
  process.exit(1);
});
