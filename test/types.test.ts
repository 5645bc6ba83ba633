// Type tests: test/types/cases.mts (and exports-map.mts) compiled with
// `tsc --noEmit` in four consumer projects (test/types/<project>/: ESM
// nodenext, CommonJS node16, bundler, node10), each with offloop installed
// in its node_modules as a user would have it: the built package (run
// `npm run build:ts` first), resolved through its package.json "exports"
// (or "types"/"typesVersions" under node10). The shared files are copied in
// as .ts, so each project's package.json decides their module format.
// esm-nodenext also checks offloop's declaration files themselves
// (skipLibCheck off); the others skip them, as most projects do.
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ROOT } from './helpers.js';

const PROJECTS = ['esm-nodenext', 'cjs-node16', 'bundler', 'node10'] as const;
const SOURCES = join(ROOT, 'test/types');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

interface Compiled {
  status: number | null;
  /** One entry per diagnostic: `file(line,col): error TSxxxx: message` plus the offending line. */
  errors: string[];
}

function tsc(project: string): Promise<Compiled> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSC, '-p', project, '--pretty', 'false'], { cwd: project });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, errors: explain(project, out) }));
  });
}

/** tsc's diagnostics, each followed by the source line it points at. */
function explain(project: string, output: string): string[] {
  const errors: string[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    const at = /^([^(]+)\((\d+),\d+\): /.exec(line);
    if (!at) {
      if (errors.length > 0 && line.startsWith(' ')) errors[errors.length - 1] += `\n${line}`;
      else errors.push(line);
      continue;
    }
    const file = join(project, at[1]!);
    const source = existsSync(file) ? readFileSync(file, 'utf8').split('\n')[Number(at[2]) - 1]?.trim() : undefined;
    errors.push(source === undefined ? line : `${line}\n    > ${source}`);
  }
  return errors;
}

/** A consumer project in a temporary folder, with offloop (this repo) in its node_modules. */
function makeProject(into: string, name: string): string {
  const dir = join(into, name);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  for (const file of readdirSync(join(SOURCES, name))) copyFileSync(join(SOURCES, name, file), join(dir, file));
  for (const file of readdirSync(SOURCES).filter((file) => file.endsWith('.mts'))) {
    copyFileSync(join(SOURCES, file), join(dir, file.replace(/\.mts$/, '.ts')));
  }
  symlinkSync(ROOT, join(dir, 'node_modules/offloop'), 'junction');
  symlinkSync(join(ROOT, 'node_modules/@types'), join(dir, 'node_modules/@types'), 'junction');
  return dir;
}

/** lib/ files newer than their declarations in dist/: the build is stale. */
function staleDeclarations(): string[] {
  return readdirSync(join(ROOT, 'lib'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .filter((file) => {
      const built = join(ROOT, 'dist/cjs', file.replace(/\.ts$/, '.d.ts'));
      return !existsSync(built) || statSync(built).mtimeMs < statSync(join(ROOT, 'lib', file)).mtimeMs;
    });
}

describe('types as a TypeScript user sees them', () => {
  let temp: string;
  const compiled = new Map<string, Promise<Compiled>>();

  beforeAll(() => {
    temp = mkdtempSync(join(tmpdir(), 'offloop-types-'));
    // The four compilations run side by side.
    for (const name of PROJECTS) compiled.set(name, tsc(makeProject(temp, name)));
  });

  afterAll(() => {
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('compiles against a build of the current lib/', () => {
    expect(existsSync(join(ROOT, 'dist/esm/index.d.ts'))).toBe(true);
    expect(staleDeclarations(), 'lib/ changed since the last `npm run build:ts`').toEqual([]);
  });

  it.each(PROJECTS)(
    '%s: every case compiles and every @ts-expect-error is an error',
    { timeout: 60_000 },
    async (name) => {
      const { status, errors } = await compiled.get(name)!;
      expect(errors).toEqual([]);
      expect(status).toBe(0);
    },
  );
});
