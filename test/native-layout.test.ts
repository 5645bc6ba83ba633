// The native tree's layering, read from its #include lines: the layers below
// the bindings use no Node-API, and no module (a header with its .cc)
// depends on itself through others.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

import { describe, expect, it } from 'vitest';

const NATIVE = join(__dirname, '..', 'native');
const NAPI_FREE = ['kernels', 'codecs', 'core', 'jobs', 'files'];

/** Every .h, .cc and .inc under native/, as paths from native/. */
function sources(dir = NATIVE): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(h|cc|inc)$/.test(entry.name) ? [relative(NATIVE, path)] : [];
  });
}

/** The project files `file` includes: next to it first, then from native/ (the include path). */
function includes(file: string): string[] {
  const text = readFileSync(join(NATIVE, file), 'utf8');
  return [...text.matchAll(/^#include "([^"]+)"/gm)].map(([, name]) => {
    const beside = normalize(join(dirname(file), name));
    return existsSync(join(NATIVE, beside)) ? beside : name;
  });
}

const NODE_API_INCLUDE = /#include <(napi|node_api|js_native_api)\.h>|#include "(napi|bindings)\//;

const moduleOf = (file: string): string => file.replace(/\.(h|cc|inc)$/, '');

describe('native/ layering', () => {
  it('kernels, codecs, core, jobs and files include no Node-API header', () => {
    const offenders = sources()
      .filter((file) => NAPI_FREE.includes(file.split('/')[0]))
      .filter((file) => NODE_API_INCLUDE.test(readFileSync(join(NATIVE, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the Node-API layer (all but those) has no include loop, counting a .cc with its header', () => {
    const edges = new Map<string, Set<string>>();
    for (const file of sources().filter((name) => !NAPI_FREE.includes(name.split('/')[0]))) {
      const from = moduleOf(file);
      const to = edges.get(from) ?? new Set<string>();
      for (const name of includes(file)) if (moduleOf(name) !== from) to.add(moduleOf(name));
      edges.set(from, to);
    }
    const loops: string[][] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (module: string, path: string[]): void => {
      state.set(module, 'open');
      for (const next of edges.get(module) ?? []) {
        if (state.get(next) === 'open') loops.push([...path.slice(path.indexOf(next)), next]);
        else if (!state.has(next)) visit(next, [...path, next]);
      }
      state.set(module, 'done');
    };
    for (const module of edges.keys()) if (!state.has(module)) visit(module, [module]);
    expect(loops).toEqual([]);
  });
});
