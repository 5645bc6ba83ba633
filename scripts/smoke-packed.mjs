#!/usr/bin/env node
// Tests what the registry would receive, not what the repo holds: packs the
// package (or takes --tarball), installs the tarball into a fresh temporary
// project with no compiler reachable, and runs test/fixtures/smoke.{mjs,cjs}
// there through import and require, asserting that the prebuilt binary was
// loaded and nothing was compiled (no build/ in the installed package).
//
//   node scripts/smoke-packed.mjs [--tarball offloop-x.y.z.tgz] [--keep]
//
// "No compiler reachable": PATH holds only a temp bin dir with node, npm and
// sh (npm runs install scripts with sh), so g++/cc/c++/make/python cannot be
// found; CC, CXX, PYTHON and the like are removed from the environment. Were
// the prebuild unusable, offloop's install script would fall back to node-gyp,
// which would fail for want of python and make, and so would this script.
// On Windows PATH is cut down to Node's own directory and System32 instead.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { tarball: { type: 'string' }, keep: { type: 'boolean', default: false } } });
const isWindows = process.platform === 'win32';
const log = (message) => console.log(`smoke-packed: ${message}`);

function findNpmCli() {
  const candidates = [
    process.env.npm_execpath,
    join(dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js'),
    join(dirname(process.execPath), 'node_modules/npm/bin/npm-cli.js'),
  ];
  const which = spawnSync(isWindows ? 'where' : 'which', ['npm'], { encoding: 'utf8' });
  if (which.status === 0) candidates.push(realpathSync(which.stdout.split(/\r?\n/)[0].trim()));
  const cli = candidates.find((file) => file && /npm-cli\.js$/.test(file) && existsSync(file));
  if (!cli) throw new Error('smoke-packed: cannot find npm-cli.js');
  return cli;
}

const work = mkdtempSync(join(tmpdir(), 'offloop-smoke-'));
try {
  // 1. The tarball.
  let tarball = values.tarball && resolve(values.tarball);
  if (!tarball) {
    const prebuilds = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
    if (!existsSync(prebuilds) || readdirSync(prebuilds).length === 0) {
      throw new Error(`smoke-packed: no ${prebuilds}: run \`npm run prebuild\` first`);
    }
    log('npm pack');
    const packed = JSON.parse(
      execFileSync(process.execPath, [findNpmCli(), 'pack', '--json', '--pack-destination', work], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    tarball = join(work, packed[0].filename);
  }
  log(`tarball ${tarball}`);

  // 2. A bin dir with nothing but node, npm and sh; an environment without
  //    compiler hints or the calling npm's settings.
  const bin = join(work, 'bin');
  mkdirSync(bin);
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(npm_|CC$|CXX$|CPP$|LD$|LINK$|AR$|PYTHON|CFLAGS|CXXFLAGS|LDFLAGS|GYP_|NODE_GYP|PREBUILDS_ONLY$|OFFLOOP_)/i.test(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  if (isWindows) {
    env.PATH = [dirname(process.execPath), join(process.env.SystemRoot ?? 'C:\\Windows', 'System32')].join(delimiter);
    delete env.Path;
  } else {
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    writeFileSync(join(bin, 'npm'), `#!/bin/sh\nexec "${process.execPath}" "${findNpmCli()}" "$@"\n`, { mode: 0o755 });
    env.PATH = bin;
    for (const tool of ['cc', 'c++', 'gcc', 'g++', 'clang', 'make', 'python3', 'python', 'cmake']) {
      const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { env, encoding: 'utf8' });
      if (found.status === 0) throw new Error(`smoke-packed: ${tool} is reachable at ${found.stdout.trim()}`);
    }
  }
  const npm = isWindows ? [process.execPath, findNpmCli()] : [join(bin, 'npm')];
  const run = (command, args, cwd) => {
    log(`${[command, ...args].join(' ')}  (in ${cwd})`);
    const result = spawnSync(command, args, { cwd, env, stdio: 'inherit' });
    if (result.status !== 0)
      throw new Error(
        `smoke-packed: ${command} ${args.join(' ')} exited with ${result.status ?? result.signal ?? result.error}`,
      );
  };

  // 3. A fresh project that installs the tarball.
  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'offloop-smoke', version: '1.0.0', private: true }, null, 2)}\n`,
  );
  run(npm[0], [...npm.slice(1), 'install', '--no-audit', '--no-fund', '--foreground-scripts', tarball], project);

  const installed = join(project, 'node_modules', 'offloop');
  if (existsSync(join(installed, 'build')))
    throw new Error(`smoke-packed: ${installed}/build exists: the install compiled the addon`);
  log(`installed prebuilds: ${readdirSync(join(installed, 'prebuilds')).join(', ')}`);

  // 4. The smoke test, through import and through require.
  for (const file of ['smoke.mjs', 'smoke.cjs']) copyFileSync(join(root, 'test/fixtures', file), join(project, file));
  env.OFFLOOP_SMOKE_SOURCE = 'prebuild';
  run(process.execPath, ['smoke.mjs'], project);
  run(process.execPath, ['smoke.cjs'], project);
  if (existsSync(join(installed, 'build'))) throw new Error(`smoke-packed: ${installed}/build appeared`);

  // 5. The `offloop` command the package installs (npx offloop ...).
  if (!isWindows) {
    const offloopBin = join(project, 'node_modules', '.bin', 'offloop');
    run(offloopBin, ['info'], project);
    mkdirSync(join(project, 'photos'));
    copyFileSync(join(root, 'test/fixtures/images/jpeg/ycc-444-base-61x37.jpg'), join(project, 'photos', 'a.jpg'));
    run(offloopBin, ['gray', 'photos', '-o', 'gray'], project);
    if (!existsSync(join(project, 'gray', 'a.jpg'))) throw new Error('smoke-packed: offloop gray wrote no gray/a.jpg');
  }
  log('ok');
} finally {
  if (values.keep) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
