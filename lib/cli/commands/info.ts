/** `offloop info`: what this installation runs with. */
import { parseArgs } from 'node:util';

import { features, getConcurrency } from '../../index.js';
import type { Command } from '../command.js';

export const info: Command = {
  name: 'info',
  summary: 'the binary, SIMD path, codecs and pool size in use',
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, strict: true, allowPositionals: false });
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
      [
        `binary:  ${found.binary.path} (${found.binary.source})`,
        `simd:    ${found.simd}`,
        `codecs:  ${codecs || 'none'}`,
        `threads: ${report.threads} (default ${found.defaultConcurrency})`,
      ].join('\n') + '\n',
    );
    return 0;
  },
};
