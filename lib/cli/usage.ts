/** What the command line says when it is used wrongly. */
import type { CommandLine } from './flags.js';

/** A mistake in the command line itself: exit code 2, the reason and the command's usage on stderr. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The lines after a usage mistake: the reason, the command's usage, where its help is. */
export function usageMessage(error: UsageError, line: CommandLine | undefined): string {
  if (line === undefined)
    return `offloop: ${error.message}\nusage: offloop <command> [options]\n'offloop --help' lists the commands`;
  return `offloop ${line.name}: ${error.message}\nusage: offloop ${line.usage}\n'offloop ${line.name} --help' lists its options`;
}
