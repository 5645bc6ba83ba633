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
import { commandHelp, mainHelp } from './help.js';
import { closest } from './suggest.js';
import { usageMessage, UsageError } from './usage.js';

export const COMMANDS: Command[] = [gray, info, worker, queue];

function version(): string {
  // dist/cjs/cli/main.js -> the package's package.json
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** The words before `--`: a `--help` after it is an argument, not a request for help. */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  let command: Command | undefined;
  try {
    if (name === undefined) throw new UsageError('no command given');
    if (name === '--help' || name === '-h' || name === 'help') {
      const about = rest[0] === undefined ? undefined : COMMANDS.find((candidate) => candidate.line.name === rest[0]);
      io.stdout.write(`${about === undefined ? mainHelp(COMMANDS) : commandHelp(about.line)}\n`);
      return 0;
    }
    if (name === '--version' || name === '-v') {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    command = COMMANDS.find((candidate) => candidate.line.name === name);
    if (command === undefined) {
      const names = COMMANDS.map((c) => c.line.name);
      const near = closest(name, names);
      throw new UsageError(
        `unknown command '${name}'${near === undefined ? ` (commands: ${names.join(', ')})` : ` (did you mean '${near}'?)`}`,
      );
    }
    if (asksForHelp(rest)) {
      io.stdout.write(`${commandHelp(command.line)}\n`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${usageMessage(error, command?.line)}\n`);
    return 2;
  }
}

/**
 * What the command line says when a command fails as a whole: offloop's own
 * errors (no binary, BullMQ missing, Redis unreachable...) as their message,
 * which says what to do; anything else, a bug, with its stack.
 */
export function failureMessage(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && typeof code === 'string' && code.startsWith('ERR_OFFLOOP_')) {
    const [first, ...rest] = error.message.replace(/^offloop: /, '').split('\n');
    return [`offloop: ${first} (${code})`, ...rest].join('\n');
  }
  return `offloop: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

if (require.main === module) {
  const io: CommandIo = { stdout: process.stdout, stderr: process.stderr, interactive: Boolean(process.stderr.isTTY) };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${failureMessage(error)}\n`);
      process.exitCode = 1;
    },
  );
}
