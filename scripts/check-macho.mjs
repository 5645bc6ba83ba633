#!/usr/bin/env node
// Link check of a macOS addon binary, for builds that cannot be run where
// they are made (scripts/prebuild-zig.mjs cross-builds them on Linux):
//
//   node scripts/check-macho.mjs --arch x64|arm64 <file.node>...
//
// Fails unless each file is
//  - a 64-bit Mach-O dylib or bundle for that CPU, for macOS 11.0 or older
//    (LC_BUILD_VERSION's minos), code-signed on arm64 (Apple silicon runs
//    signed code only; the linker's ad-hoc signature is enough);
//  - linked against the system's libraries only (/usr/lib/libSystem,
//    libc++, libc++abi);
//  - left with no undefined symbol but Node-API's (napi_*, node_api_*,
//    looked up in the loading process: -undefined dynamic_lookup) and the
//    system libraries' (bound to them by name);
//  - exporting nothing but the module's entry points (the codecs', libc++'s
//    and compiler-rt's copies stay inside).
// Uses llvm-nm and llvm-objdump (Debian: apt-get install llvm).
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: {
    arch: { type: 'string' },
  },
  allowPositionals: true,
});
// Symbols the toolchain is known to leave undefined (prebuild-zig.mjs says
// which and why): reported on every run, never a pass for anything else.
const CPU = { x64: 'X86_64', arm64: 'ARM64' };
if (!CPU[values.arch] || positionals.length === 0) {
  console.error('usage: node scripts/check-macho.mjs --arch x64|arm64 <file.node>...');
  process.exit(2);
}
const SYSTEM_LIBRARIES = /^\/usr\/lib\/(libSystem\.B|libc\+\+\.1|libc\+\+abi)\.dylib$/;
const SYSTEM_LIBRARY_NAMES = new Set(['libSystem', 'libc++', 'libc++abi']);
const NODE_API = /^_(napi_|node_api_)\w+$/;
const ENTRY_POINTS = new Set(['_napi_register_module_v1', '_node_api_module_get_api_version_v1']);

function tool(name, args) {
  for (const command of [name, `${name}-16`, `${name}-15`, `${name}-14`]) {
    const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (result.error?.code === 'ENOENT') continue;
    if (result.status !== 0) throw new Error(`check-macho: ${command} ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  }
  throw new Error(`check-macho: ${name} not found (Debian/Ubuntu: apt-get install llvm)`);
}

// llvm-nm -m: "[address] (section|undefined) [weak] [private] external name [(from lib)|(dynamically looked up)]"
const NM_LINE =
  /^\s*(?:[0-9a-f]+\s+)?\((undefined|[^)]*)\)\s+(?:weak\s+)?(?:\[[^\]]*\]\s+)?(private\s+)?(external|non-external)\s+(\S+)(?:\s+\((?:from ([^)]+)|(dynamically looked up))\))?/;
function symbolsOf(file) {
  return tool('llvm-nm', ['-m', file])
    .split('\n')
    .filter(Boolean)
    .map((text) => {
      const match = text.match(NM_LINE);
      if (!match) return { text };
      const [, section, hidden, scope, name, from, lookedUp] = match;
      return {
        name,
        from,
        undefined: section === 'undefined',
        lookedUp: Boolean(lookedUp),
        exported: section !== 'undefined' && scope === 'external' && !hidden,
      };
    });
}
function check(file) {
  const problems = [];
  const headers = tool('llvm-objdump', ['--macho', '--private-headers', file]);
  const header = headers.match(/^\s*(MH_MAGIC_64)\s+(\S+)\s+\S+\s+\S+\s+(\S+)/m);
  if (!header) problems.push('not a 64-bit Mach-O file');
  else {
    if (header[2] !== CPU[values.arch]) problems.push(`CPU ${header[2]}, expected ${CPU[values.arch]}`);
    if (!['DYLIB', 'BUNDLE'].includes(header[3])) problems.push(`file type ${header[3]}, expected DYLIB or BUNDLE`);
  }
  const build = headers.match(/cmd LC_BUILD_VERSION[\s\S]*?platform (\S+)[\s\S]*?minos (\S+)/);
  if (!build) problems.push('no LC_BUILD_VERSION (the macOS version it needs is unknown)');
  else {
    const [major, minor = 0] = build[2].split('.').map(Number);
    if (build[1] !== 'macos') problems.push(`built for platform ${build[1]}, not macos`);
    if (major > 11 || (major === 11 && minor > 0)) problems.push(`needs macOS ${build[2]}, newer than 11.0`);
  }
  if (values.arch === 'arm64' && !/cmd LC_CODE_SIGNATURE/.test(headers))
    problems.push('no code signature (arm64 Macs run signed code only)');

  const libraries = tool('llvm-objdump', ['--macho', '--dylibs-used', file])
    .split('\n')
    .slice(1)
    .map((line) => line.trim().replace(/ \(compatibility version.*$/, ''))
    .filter(Boolean)
    .filter((path) => !path.endsWith('offloop.node'));
  for (const path of libraries) if (!SYSTEM_LIBRARIES.test(path)) problems.push(`links ${path}, not a system library`);

  let undefinedCount = 0;
  const napi = new Set();
  const entryPoints = new Set();
  for (const symbol of symbolsOf(file)) {
    if (symbol.name === undefined) problems.push(`llvm-nm line not understood: ${symbol.text}`);
    else if (symbol.undefined) {
      undefinedCount += 1;
      if (symbol.lookedUp && NODE_API.test(symbol.name)) napi.add(symbol.name);
      else if (symbol.lookedUp)
        problems.push(`undefined ${symbol.name}, looked up in the loading process, is not Node-API`);
      else if (!SYSTEM_LIBRARY_NAMES.has(symbol.from))
        problems.push(
          `undefined ${symbol.name}${symbol.from ? ` from ${symbol.from}` : ''}: not Node-API or a system library's`,
        );
    } else if (symbol.exported && ENTRY_POINTS.has(symbol.name)) entryPoints.add(symbol.name);
    else if (symbol.exported) problems.push(`exports ${symbol.name} (only the module's entry points may be visible)`);
  }
  if (!entryPoints.has('_napi_register_module_v1'))
    problems.push('does not export _napi_register_module_v1: Node cannot load it');
  if (!napi.has('_napi_module_register') && !napi.has('_napi_create_function')) {
    problems.push('no Node-API symbol is looked up: is this the addon?');
  }
  return {
    problems,
    summary: `${header?.[2]} ${header?.[3]}, macOS ${build?.[2]}, links ${libraries.join(', ')}; ${undefinedCount} undefined symbols (${napi.size} Node-API); exports the entry points only`,
  };
}

let failed = false;
for (const file of positionals) {
  const { problems, summary } = check(file);
  if (problems.length === 0) console.log(`check-macho: ${file}: ${summary}`);
  else {
    failed = true;
    console.error(`check-macho: ${file}:\n  ${problems.join('\n  ')}`);
  }
}
process.exit(failed ? 1 : 0);
