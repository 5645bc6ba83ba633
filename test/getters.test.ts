// Whatever a caller shadows (own data properties, own getters, getters on a
// subclass's prototype, Proxies) on inputs, out, their buffers, the options,
// image and range objects, every kernel, sync and async, on every path,
// gives the correct result or a TypeError/RangeError with a stable code,
// reads each option once, and never crashes the process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import * as offloop from '../lib/index.js';
import * as reference from '../lib/reference.js';
import { getterScenarios, runScenario, type GetterScenario } from './fixtures/getter-scenarios.mjs';
import { runFixture } from './helpers.js';
import { PATHS, PATH_SETTINGS, resetPaths, usePath } from './paths.js';

const groups = new Map<string, GetterScenario[]>();
for (const scenario of getterScenarios(offloop, reference)) {
  if (scenario.dangerous) continue;
  const list = groups.get(scenario.group) ?? [];
  list.push(scenario);
  groups.set(scenario.group, list);
}

describe.each(PATHS)('shadowed properties, on the %s path', (path) => {
  beforeAll(() => usePath(path));
  afterAll(resetPaths);

  for (const [group, scenarios] of groups) {
    it(group, async () => {
      const failures: string[] = [];
      for (const scenario of scenarios) {
        const problem = await runScenario(scenario);
        if (problem !== undefined) failures.push(`${scenario.name}: ${problem}`);
      }
      expect(failures).toEqual([]);
    });
  }
});

describe('getters that resize, transfer or detach buffers', () => {
  it('on every path, in a child process: right result or error, and no crash', () => {
    const run = runFixture('getters-dangerous.mjs', [JSON.stringify(PATH_SETTINGS)], [], 120_000);
    expect(run.signal).toBeNull();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { ran, failures } = JSON.parse(run.stdout) as { ran: number; failures: string[] };
    expect(failures).toEqual([]);
    expect(ran).toBeGreaterThan(300);
  }, 120_000);
});
