/** What every subcommand of the command line is: one file each, in main.ts's table. */
import type { Writable } from 'node:stream';

import type { CommandLine } from './flags.js';

/** The streams a command writes to, and whether a person watches them. */
export interface CommandIo {
  stdout: Writable;
  stderr: Writable;
  /** True when stderr is a terminal: progress bars are drawn there. */
  interactive: boolean;
}

export interface Command {
  /** Its name, usage, description and flags (flags.ts): parsing and help both come from it. */
  line: CommandLine;
  /** One line for `offloop --help`. */
  summary: string;
  /** Runs with the arguments after the command's name; resolves to the exit code. Throws UsageError for usage mistakes. */
  run(argv: string[], io: CommandIo): Promise<number>;
}
