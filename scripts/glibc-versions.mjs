#!/usr/bin/env node
// Lists the glibc / libstdc++ symbol versions a Linux .node file needs
// (objdump -T), and fails if one is newer than --max-glibc / --max-glibcxx.
//
//   node scripts/glibc-versions.mjs prebuilds/linux-x64/offloop.glibc.node --max-glibc 2.31 --max-glibcxx 3.4.28
//   OBJDUMP=aarch64-linux-gnu-objdump node scripts/glibc-versions.mjs prebuilds/linux-arm64/offloop.glibc.node
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'max-glibc': { type: 'string' }, 'max-glibcxx': { type: 'string' } },
});
const compare = (a, b) => {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};
let failed = false;
for (const file of positionals) {
  const dump = execFileSync(process.env.OBJDUMP || 'objdump', ['-T', file], { encoding: 'utf8' });
  const found = { GLIBC: new Set(), GLIBCXX: new Set(), CXXABI: new Set() };
  for (const [, lib, version] of dump.matchAll(/\b(GLIBC|GLIBCXX|CXXABI)_(\d+(?:\.\d+)*)\b/g)) found[lib].add(version);
  const sorted = (set) => [...set].sort(compare);
  console.log(`${file}:`);
  for (const lib of Object.keys(found)) if (found[lib].size) console.log(`  ${lib}: ${sorted(found[lib]).join(' ')}`);
  for (const [lib, max] of [
    ['GLIBC', values['max-glibc']],
    ['GLIBCXX', values['max-glibcxx']],
  ]) {
    const newest = sorted(found[lib]).at(-1);
    if (max && newest && compare(newest, max) > 0) {
      console.error(`  ${lib}_${newest} is newer than the allowed ${lib}_${max}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
