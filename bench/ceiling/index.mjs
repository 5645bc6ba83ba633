// Loads the bench-only ceiling addon, building it first when its .node is
// missing (`node-gyp rebuild --directory bench/ceiling`, never the repo root).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const addonPath = join(here, 'build', 'Release', 'ceiling.node');
const require = createRequire(import.meta.url);

export function loadCeiling() {
  if (!existsSync(addonPath)) {
    console.log('building the bench ceiling helper (bench/ceiling) ...');
    const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
    execFileSync(process.execPath, [nodeGyp, 'rebuild', '--directory', here], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return require(addonPath);
}
