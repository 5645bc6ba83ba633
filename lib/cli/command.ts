/** What every subcommand of the command line is: one file each, in main.ts's table. */
import type { Writable } from 'node:stream';

/** The streams a command writes to, and whether a person watches them. */
export interface CommandIo {
  stdout: Writable;
  stderr: Writable;
  /** True when stderr is a terminal: progress bars are drawn there. */
  interactive: boolean;
}

export interface Command {
  name: string;
  /** One line for the help's command list. */
  summary: string;
  /** Runs with the arguments after the command's name; resolves to the exit code. Throws UsageError for usage mistakes. */
  run(argv: string[], io: CommandIo): Promise<number>;
}
