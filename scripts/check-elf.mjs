#!/usr/bin/env node
// Link check of a Linux musl addon binary (scripts/prebuild-zig.mjs builds
// them with Zig on a glibc machine), the ELF sibling of check-macho.mjs:
//
//   node scripts/check-elf.mjs --arch x64|arm64 --libc musl [--musl-libc <libc.so>] <file.node>...
//
// Fails unless each file is
//  - a 64-bit ELF shared object for that CPU, with no text relocations;
//  - linked against musl's libc only (NEEDED libc.so or libc.musl-<cpu>.so.1,
//    both names musl's loader takes as itself): no libstdc++.so, libgcc_s.so
//    or codec library, which a musl system may not have;
//  - asking for no symbol versions (glibc's GLIBC_2.x: musl has none);
//  - left with no undefined symbol but Node-API's (napi_*, node_api_*, bound
//    at load time to the process) and those musl's libc exports: the list
//    of Debian's musl package (/usr/lib/<cpu>-linux-musl/libc.so, or
//    --musl-libc; without one for the CPU, x86-64's, since musl's C API is
//    the same on every arch), so a glibc-only function fails here and not
//    on the user's Alpine;
//  - exporting nothing but the module's entry points (the codecs', libc++'s
//    and compiler-rt's copies stay inside).
// Uses readelf (binutils).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: {
    arch: { type: 'string' },
    libc: { type: 'string' },
    'musl-libc': { type: 'string' },
  },
  allowPositionals: true,
});
const MACHINE = { x64: 'Advanced Micro Devices X86-64', arm64: 'AArch64' };
const CPU = { x64: 'x86_64', arm64: 'aarch64' };
if (!MACHINE[values.arch] || values.libc !== 'musl' || positionals.length === 0) {
  console.error(
    'usage: node scripts/check-elf.mjs --arch x64|arm64 --libc musl [--musl-libc <libc.so>] <file.node>...',
  );
  process.exit(2);
}
const MUSL_NEEDED = new Set(['libc.so', `libc.musl-${CPU[values.arch]}.so.1`]);
const NODE_API = /^(napi_|node_api_)\w+$/;
const ENTRY_POINTS = new Set(['napi_register_module_v1', 'node_api_module_get_api_version_v1']);

function readelf(args, file) {
  const result = spawnSync('readelf', ['-W', ...args, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.error?.code === 'ENOENT')
    throw new Error('check-elf: readelf not found (Debian/Ubuntu: apt-get install binutils)');
  if (result.status !== 0) throw new Error(`check-elf: readelf ${args.join(' ')} ${file} failed: ${result.stderr}`);
  return result.stdout;
}

// readelf --dyn-syms: "Num: Value Size Type Bind Vis Ndx Name[@version]"
function dynamicSymbols(file) {
  return readelf(['--dyn-syms'], file)
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => /^\d+:$/.test(fields[0]) && fields.length >= 8)
    .map(([, , , type, bind, visibility, index, name]) => ({
      type,
      bind,
      visibility,
      undefined: index === 'UND',
      name: name.replace(/@.*$/, ''),
    }))
    .filter((symbol) => symbol.name !== '' && symbol.type !== 'SECTION' && symbol.type !== 'FILE');
}

function muslExports() {
  const own = `/usr/lib/${CPU[values.arch]}-linux-musl/libc.so`;
  const candidates = values['musl-libc'] ? [values['musl-libc']] : [own, '/usr/lib/x86_64-linux-musl/libc.so'];
  const path = candidates.find((candidate) => existsSync(candidate));
  if (!path)
    throw new Error(
      `check-elf: no musl libc.so to compare with (${candidates.join(', ')}; Debian: apt-get install musl-dev)`,
    );
  const names = new Set(
    dynamicSymbols(path)
      .filter((symbol) => !symbol.undefined && symbol.bind !== 'LOCAL')
      .map((symbol) => symbol.name),
  );
  if (names.size < 1000) throw new Error(`check-elf: ${path} exports ${names.size} symbols: is it musl's libc?`);
  // Another CPU's list stands in when this one's is not installed: say so.
  const standIn = !values['musl-libc'] && path !== own;
  return { path: standIn ? `${path} (x86-64's, standing in for ${CPU[values.arch]}'s: the same C API)` : path, names };
}

function check(file, musl) {
  const problems = [];
  const header = readelf(['-h'], file);
  const field = (name) => header.match(new RegExp(`^\\s*${name}:\\s*(.+)$`, 'm'))?.[1].trim();
  if (field('Class') !== 'ELF64') problems.push(`class ${field('Class')}, expected ELF64`);
  if (field('Machine') !== MACHINE[values.arch])
    problems.push(`machine ${field('Machine')}, expected ${MACHINE[values.arch]}`);
  if (!field('Type')?.startsWith('DYN')) problems.push(`type ${field('Type')}, expected DYN (a shared object)`);

  const dynamic = readelf(['-d'], file);
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((match) => match[1]);
  for (const name of needed) if (!MUSL_NEEDED.has(name)) problems.push(`needs ${name}: only musl's libc may be needed`);
  if (!needed.some((name) => MUSL_NEEDED.has(name))) problems.push("does not need musl's libc: is it linked for musl?");
  if (/\(TEXTREL\)|TEXTREL/.test(dynamic)) problems.push('has text relocations');
  if (/\(VERNEED\)/.test(dynamic)) {
    const versions = [...readelf(['-V'], file).matchAll(/Name: (\S+)\s+Flags/g)].map((match) => match[1]);
    problems.push(`asks for symbol versions ${[...new Set(versions)].join(', ')} (musl has none)`);
  }

  let undefinedCount = 0;
  const napi = new Set();
  const entryPoints = new Set();
  for (const symbol of dynamicSymbols(file)) {
    if (symbol.undefined) {
      undefinedCount += 1;
      if (NODE_API.test(symbol.name)) napi.add(symbol.name);
      else if (!musl.names.has(symbol.name))
        problems.push(
          `undefined ${symbol.name}${symbol.bind === 'WEAK' ? ' (weak)' : ''}: not Node-API or musl's libc's`,
        );
    } else if (symbol.bind === 'LOCAL' || symbol.visibility === 'HIDDEN' || symbol.visibility === 'INTERNAL') {
      // not visible outside the binary
    } else if (ENTRY_POINTS.has(symbol.name)) entryPoints.add(symbol.name);
    else problems.push(`exports ${symbol.name} (only the module's entry points may be visible)`);
  }
  if (!entryPoints.has('napi_register_module_v1'))
    problems.push('does not export napi_register_module_v1: Node cannot load it');
  if (!napi.has('napi_module_register') && !napi.has('napi_create_function'))
    problems.push('no Node-API symbol is undefined: is this the addon?');
  return {
    problems,
    summary: `${field('Machine')} shared object, needs ${needed.join(', ')}; ${undefinedCount} undefined symbols (${napi.size} Node-API, the rest in ${musl.path}); exports ${[...entryPoints].join(', ')} only`,
  };
}

const musl = muslExports();
let failed = false;
for (const file of positionals) {
  const { problems, summary } = check(file, musl);
  if (problems.length === 0) console.log(`check-elf: ${file}: ${summary}`);
  else {
    failed = true;
    console.error(`check-elf: ${file}:\n  ${problems.join('\n  ')}`);
  }
}
process.exit(failed ? 1 : 0);
