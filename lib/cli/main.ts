#!/usr/bin/env node
/**
 * The `offloop` command: a thin shell over the library. Each subcommand is
 * one file in commands/, listed in COMMANDS; a new one is a file and a line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Command, CommandIo } from './command.js';
import { gray } from './commands/gray.js';
import { info } from './commands/info.js';
import { queue } from './commands/queue.js';
import { worker } from './commands/worker.js';
import { HELP, USAGE, UsageError } from './usage.js';

export const COMMANDS: Command[] = [gray, info, worker, queue];

function version(): string {
  // dist/cjs/cli/main.js -> the package's package.json
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) throw new UsageError('no command given');
    if (name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(`${HELP}\n`);
      return 0;
    }
    if (name === '--version' || name === '-v') {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    const command = COMMANDS.find((candidate) => candidate.name === name);
    if (command === undefined) throw new UsageError(`unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`${HELP}\n`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_');
    if (!usage) throw error;
    io.stderr.write(`offloop: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
}

if (require.main === module) {
  const io: CommandIo = { stdout: process.stdout, stderr: process.stderr, interactive: Boolean(process.stderr.isTTY) };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`offloop: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
