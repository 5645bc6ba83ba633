// Run by errors.test.ts inside `unshare -rm`, where `dir` is a tiny tmpfs of
// its own: a full disk (ENOSPC) or a read-only one (EROFS). Writes `input`'s
// gray version into `dir` (async, then sync) and prints one JSON line per
// attempt: the error's fields (or the result), the folder's entries and
// whether the existing `dir/existing.png` is intact.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { grayscaleFile, grayscaleFileSync, isOffloopError } from 'offloop';

const [dir, input, existingBytes] = process.argv.slice(2);
const existing = join(dir, 'existing.png');

function report(how, outcome) {
  const intact = readFileSync(existing).toString('hex') === existingBytes;
  console.log(JSON.stringify({ how, ...outcome, entries: readdirSync(dir).sort(), intact }));
}

function describe(error) {
  return {
    error: {
      name: error.name,
      code: error.code,
      errno: error.errno,
      syscall: error.syscall,
      path: error.path,
      message: error.message,
      offloop: isOffloopError(error),
    },
  };
}

for (const output of [join(dir, 'new.png'), existing]) {
  try {
    const result = await grayscaleFile(input, { output, format: 'png', compressionLevel: 0 });
    report(`async ${output}`, { result: { bytes: result.bytes } });
  } catch (error) {
    report(`async ${output}`, describe(error));
  }
  try {
    const result = grayscaleFileSync(input, { output, format: 'png', compressionLevel: 0 });
    report(`sync ${output}`, { result: { bytes: result.bytes } });
  } catch (error) {
    report(`sync ${output}`, describe(error));
  }
}
