import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'miniprogram_npm') return [];
    return statSync(path).isDirectory() ? files(path, ext) : ext.test(name) ? [path] : [];
  });
}

function imports(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'|require\('([^']+)'\)/g)].map(
    (m) => m[1] ?? m[2] ?? '',
  );
}

describe('dependency boundaries', () => {
  it('keeps the domain core free of wx, the SDK, the clock and Math.random', () => {
    for (const file of files(join(root, 'core'), /\.ts$/)) {
      const name = relative(root, file);
      for (const spec of imports(file)) {
        if (spec.startsWith('.')) {
          const target = relative(root, resolve(file, '..', spec));
          expect(`${name} → ${target}`).toMatch(/→ (core|typings)\//);
        } else {
          // Only pure, platform-free libraries.
          expect(`${name} → ${spec}`).toMatch(/→ (dayjs|@noble\/ed25519|@noble\/hashes)(\/|$)/);
        }
      }
      const text = readFileSync(file, 'utf8');
      expect(`${name}: ${/\bwx\.|Date\.now\(|Math\.random\(|new Date\(\)/.test(text)}`).toBe(`${name}: false`);
    }
  });

  it('keeps typings/ types-only, but for the enumerations (pure data, copied into the mini-program)', () => {
    expect(imports(join(root, 'typings/values.ts'))).toEqual([]);
    for (const file of files(join(root, 'typings'), /\.ts$/)) {
      if (relative(root, file) === join('typings', 'values.ts')) continue;
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(`${relative(root, file)}: ${/^\s*export\s+(const|function|class|let|var|enum)\b/m.test(text)}`).toMatch(
        /: false$/,
      );
    }
  });

  it('lets the mini-program import only type-level code from outside its root', () => {
    for (const file of files(join(root, 'miniprogram'), /\.ts$/)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)) {
        const spec = m[2] ?? '';
        const target = resolve(file, '..', spec);
        if (spec.startsWith('.') && !target.startsWith(join(root, 'miniprogram'))) {
          expect(`${relative(root, file)} imports ${spec} as ${m[1] ? 'type' : 'value'}`).toMatch(/as type$/);
        }
      }
    }
  });

  it('lets no cloud function import another (what two share lives in server/lib or core)', () => {
    const functions = join(root, 'server/functions');
    for (const file of files(functions, /\.ts$/)) {
      const own = relative(functions, file).split(/[\\/]/)[0] ?? '';
      for (const spec of imports(file).filter((s) => s.startsWith('.'))) {
        const target = relative(functions, resolve(file, '..', spec));
        if (target.startsWith('..')) continue;
        // The registry (a file, not a function) lists every function's main.
        if (own === 'registry.ts') continue;
        expect(`${relative(root, file)} → ${target}`).toMatch(new RegExp(`→ ${own}([\\\\/]|$)`));
      }
    }
  });

  it('keeps TypeScript source out of deployable function folders', () => {
    for (const file of files(join(root, 'cloudfunctions'), /\.ts$/)) {
      throw new Error(`TypeScript in a function folder: ${relative(root, file)}`);
    }
  });
});
