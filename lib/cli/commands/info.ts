/** `offloop info`: what this installation runs with. */
import type { Command } from '../command.js';
import { parseFlags, type CommandLine, type FlagTable } from '../flags.js';

const FLAGS = {
  json: { type: 'boolean', help: 'one JSON object' },
} as const satisfies FlagTable;

const LINE: CommandLine<typeof FLAGS> = {
  name: 'info',
  usage: 'info [--json]',
  description: `What this installation runs with: the native binary (a prebuild or a
local build) and its path, the SIMD path, the image codecs and their
versions, and the pool's threads.`,
  flags: FLAGS,
};

export const info: Command = {
  line: LINE,
  summary: 'the binary, SIMD path, codecs and pool size in use',
  async run(argv, io) {
    const { values } = parseFlags(LINE, argv);
    const { features, getConcurrency } = await import('../../index.js');
    const found = features();
    const report = { ...found, threads: getConcurrency() };
    if (values.json) {
      io.stdout.write(`${JSON.stringify(report)}\n`);
      return 0;
    }
    const codecs = Object.entries(found.codecs ?? {})
      .map(([name, codec]) => `${name}: ${codec.library} ${codec.version} (${codec.linkage})`)
      .join(', ');
    io.stdout.write(
      `${[
        `binary:  ${found.binary.path} (${found.binary.source})`,
        `simd:    ${found.simd}`,
        `codecs:  ${codecs || 'none'}`,
        `threads: ${report.threads} (default ${found.defaultConcurrency})`,
      ].join('\n')}\n`,
    );
    return 0;
  },
};
