// Writes dist/esm/: thin ES-module entry points over the one CommonJS build,
// so `import` and `require` share a single instance (one job table, one
// dispatcher per env) instead of two copies of the package's state. The
// export lists come from the built modules themselves, so they cannot drift.
//
// Each wrapper loads the CommonJS build with require(), not with
// `import cjs from '../cjs/x.js'`. When the CommonJS module throws while it
// loads (ERR_OFFLOOP_NO_BINARY when no binary fits), Node 20 lets
// `await import('offloop')` reject as it should but ALSO reports that same
// error as an unhandled rejection, which kills the process after the
// caller's catch has run (a CommonJS module imported statically by an ES
// module that throws; Node 22 and 24 do not). Thrown from require() inside
// the wrapper, the error is the wrapper's own evaluation error: import()
// rejects with it once and nothing else sees it.
//
// Every entry's default export is the entry's own exports object, the same
// object for `import x from` and for CommonJS `require(...).default` (which
// TypeScript's and bundlers' esModuleInterop read). lib/index.ts declares it
// itself (`export * as default`); an entry that does not gets it added to
// its build output here, so the types never promise a default the runtime
// lacks.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const entries = ['index', 'reference', 'queue'];

// tsc never deletes: drop the outputs of modules no longer in lib/ (moved or
// removed), which would otherwise still be packed.
const OUTPUT = /\.(js|d\.ts)(\.map)?$/;
for (const file of readdirSync(join(root, 'dist/cjs'), { recursive: true, encoding: 'utf8' })) {
  const output = OUTPUT.exec(file);
  if (output && !existsSync(join(root, 'lib', `${file.slice(0, output.index)}.ts`)))
    rmSync(join(root, 'dist/cjs', file));
}

mkdirSync(join(root, 'dist/esm'), { recursive: true });
writeFileSync(join(root, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');
writeFileSync(join(root, 'dist/esm/package.json'), '{ "type": "module" }\n');
for (const entry of entries) {
  const cjsPath = join(root, 'dist/cjs', `${entry}.js`);
  const cjs = require(cjsPath);
  if (cjs.default !== cjs) {
    throw new Error(
      `lib/${entry}.ts: end it with \`export * as default from './${entry}.js';\` (the default export must be the module's own exports object)`,
    );
  }
  const names = Object.keys(cjs).filter((name) => name !== 'default' && name !== '__esModule');
  const js = [
    "import { createRequire } from 'node:module';",
    '',
    '// Loaded with require(), not `import`: on Node 20 an error thrown while an ES module',
    '// imports a CommonJS one (no native binary) also escapes as an unhandled rejection.',
    `const cjs = createRequire(import.meta.url)('../cjs/${entry}.js');`,
    '',
    `export const { ${names.join(', ')} } = cjs;`,
    'export default cjs.default;',
    '',
  ].join('\n');
  writeFileSync(join(root, 'dist/esm', `${entry}.js`), js);
  writeFileSync(
    join(root, 'dist/esm', `${entry}.d.ts`),
    `export * from '../cjs/${entry}.js';\nexport { default } from '../cjs/${entry}.js';\n`,
  );
}
