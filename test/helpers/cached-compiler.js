/**
 * miniprogram-compiler with its WXML output cached (page tests only, mapped in jest.config.js).
 *
 * miniprogram-simulate caches the compiled templates per module registry, and each `loadPage`
 * runs in a fresh registry, so without this every page load ran wcc over the whole app again.
 * The cache key is the content of every .wxml/.wxs under the root plus the options, so any
 * template edit recompiles; the compiled text is kept in memory and under node_modules/.cache.
 */
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, renameSync } = require('node:fs');
const { join, relative } = require('node:path');
// By path: the bare name is mapped to this very file.
const real = jest.requireActual(join(__dirname, '../../node_modules/miniprogram-compiler'));

const CACHE_DIR = join(__dirname, '../../node_modules/.cache/gridlink-wxml');
const memory = globalThis.__gridlinkWxmlCache || (globalThis.__gridlinkWxmlCache = new Map());

function sourcesOf(root) {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.wxml') || name.endsWith('.wxs')) out.push(full);
    }
  };
  walk(root);
  return out;
}

function keyOf(root, options) {
  const hash = createHash('sha256').update(JSON.stringify(options || {}));
  for (const file of sourcesOf(root))
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 32);
}

function wxmlToJs(root, options) {
  const key = keyOf(root, options);
  if (memory.has(key)) return memory.get(key);
  const file = join(CACHE_DIR, `${key}.js`);
  let text;
  if (existsSync(file)) text = readFileSync(file, 'utf8');
  else {
    text = real.wxmlToJs(root, options);
    mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  }
  // simulate evaluates this text with `new Function` on every load; the templates it yields are
  // pure, so one evaluation per test file serves every load.
  const shared = `var c = globalThis.__gridlinkGwx || (globalThis.__gridlinkGwx = {});
if (!c[${JSON.stringify(key)}]) c[${JSON.stringify(key)}] = (function () {\n${text}\n})();
return c[${JSON.stringify(key)}];`;
  memory.set(key, shared);
  return shared;
}

module.exports = { ...real, wxmlToJs };
