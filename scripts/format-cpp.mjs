// Checks (or with --fix, applies) .clang-format on the C++ sources git knows.
// clang-format's output changes between major versions, so the check runs
// only with the one CI installs (Debian 12's clang-format 14) and says so
// otherwise, rather than flag lines another version would lay out differently.
import { execFileSync, spawnSync } from 'node:child_process';

const pinnedMajor = 14;
const fix = process.argv.includes('--fix');
const binary = process.env.CLANG_FORMAT ?? 'clang-format';

const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
const major = Number(/version (\d+)\./.exec(probe.stdout ?? '')?.[1]);
if (probe.error || major !== pinnedMajor) {
  const found = probe.error ? 'not found' : `is version ${major}`;
  const message = `format-cpp: ${binary} ${found}; the C++ format is checked with clang-format ${pinnedMajor}`;
  if (process.env.CI) {
    console.error(`${message} (apt-get install clang-format on Debian 12)`);
    process.exit(1);
  }
  console.warn(`${message}: skipped`);
  process.exit(0);
}

const sources = execFileSync('git', ['ls-files', '-z', '--', 'native', 'test/native'], { encoding: 'utf8' })
  .split('\0')
  .filter((path) => /\.(cc|h)$/.test(path));
const args = fix ? ['-i', ...sources] : ['--dry-run', '-Werror', ...sources];
const run = spawnSync(binary, args, { stdio: 'inherit' });
if (run.status !== 0) {
  if (!fix) console.error('format-cpp: run `npm run format` to lay the C++ sources out as .clang-format says');
  process.exit(run.status ?? 1);
}
console.log(`format-cpp: ${sources.length} C++ files ${fix ? 'formatted' : 'formatted as .clang-format says'}`);
