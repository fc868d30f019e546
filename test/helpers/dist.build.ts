import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, f) => Math.max(m, newest(join(path, f))), st.mtimeMs);
}

/**
 * Tests that spawn the gateway run what `npm start` runs: dist/main.js. The
 * compiled output must therefore match the sources; rebuild when any source
 * or build setting is newer than it.
 */
export function ensureFreshDist(): void {
  const main = join(ROOT, 'dist', 'main.js');
  const inputs = Math.max(
    newest(join(ROOT, 'src')),
    newest(join(ROOT, 'tsconfig.json')),
    newest(join(ROOT, 'tsconfig.build.json')),
    newest(join(ROOT, 'package-lock.json')),
  );
  if (existsSync(main) && statSync(main).mtimeMs >= inputs) return;
  const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stdout}\n${built.stderr}`);
}
