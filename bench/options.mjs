// Command-line options of `npm run bench` (node:util parseArgs, no dependency).
import { parseArgs } from 'node:util';

const USAGE = `Usage: npm run bench -- [--quick] [--only <case-substring>] [--runs N] [--warmup N] [--no-write]

  --quick          smoke run (< 60 s): fewer rounds and tiny-call iterations, same sizes
  --only <text>    run only the cases whose id contains <text> (e.g. gray-8k, squares, tiny)
  --runs N         timed rounds per case (default 20, quick 5; at least 5)
  --warmup N       untimed warm-up rounds per case (default 3, quick 1; at least 1)
  --no-write       print only; do not write bench/results/
  --help           this text`;

export function readOptions(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick;
  const runs = readCount(values.runs, quick ? 5 : 20, '--runs', 5);
  const warmup = readCount(values.warmup, quick ? 1 : 3, '--warmup', 1);
  return {
    quick,
    only: values.only,
    runs,
    warmup,
    write: !values['no-write'],
    // Tiny calls take microseconds: many samples are cheap and steady the median.
    tinySequentialIterations: quick ? 5000 : 20000,
    tinyPiscinaIterations: quick ? 500 : 2000,
    tinyConcurrentCalls: 10000,
    tinyConcurrentRuns: quick ? 5 : 10,
  };
}

function readCount(text, fallback, name, min) {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    console.error(`${name} must be an integer >= ${min} (got ${JSON.stringify(text)})\n\n${USAGE}`);
    process.exit(2);
  }
  return value;
}
