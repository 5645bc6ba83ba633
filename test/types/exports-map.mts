// For the projects whose resolution reads package.json "exports" (nodenext,
// node16, bundler; node10 does not): only the entry points resolve.
import type * as entry from 'offloop';
import type * as referenceEntry from 'offloop/reference';
// @ts-expect-error not in the exports map
import type * as internal from 'offloop/dist/cjs/binding.js';
// @ts-expect-error not in the exports map
import type * as internalEsm from 'offloop/dist/esm/index.js';

export type Entries = [typeof entry, typeof referenceEntry, typeof internal, typeof internalEsm];
