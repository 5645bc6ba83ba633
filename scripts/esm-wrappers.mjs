// Writes dist/esm/: thin ES-module entry points over the one CommonJS build,
// so `import` and `require` share a single instance (one job table, one
// dispatcher per env) instead of two copies of the package's state. The
// export lists come from the built modules themselves, so they cannot drift.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const entries = ['index', 'reference'];

mkdirSync(join(root, 'dist/esm'), { recursive: true });
writeFileSync(join(root, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');
writeFileSync(join(root, 'dist/esm/package.json'), '{ "type": "module" }\n');
for (const entry of entries) {
  const names = Object.keys(require(join(root, 'dist/cjs', `${entry}.js`))).filter((name) => name !== 'default' && name !== '__esModule');
  const js = [
    `import cjs from '../cjs/${entry}.js';`,
    '',
    `export const { ${names.join(', ')} } = cjs;`,
    'export default cjs;',
    '',
  ].join('\n');
  writeFileSync(join(root, 'dist/esm', `${entry}.js`), js);
  writeFileSync(join(root, 'dist/esm', `${entry}.d.ts`), `export * from '../cjs/${entry}.js';\nimport * as all from '../cjs/${entry}.js';\nexport default all;\n`);
}
