/** `offloop --help` and `offloop <command> --help`, made from the commands' declarations. */
import { flagLines, type CommandLine } from './flags.js';

/** Where the help is wrapped: a terminal's classic width. */
const COLUMNS = 80;

export const EXIT_CODES = `exit codes: 0 all done, 1 some files failed, 2 usage error,
130 interrupted (SIGINT), 143 terminated (SIGTERM), 141 reader gone (| head).`;

/** `offloop --help`: every command's usage line and summary. */
export function mainHelp(commands: readonly { line: CommandLine; summary: string }[]): string {
  const lines = [
    'offloop: CPU-heavy image work on a native thread pool.',
    '',
    'usage: offloop <command> [options]',
    '',
  ];
  for (const { line, summary } of commands) lines.push(`  offloop ${line.usage}`, ...wrap(summary, 6));
  lines.push(
    '',
    "'offloop <command> --help' shows a command's options.",
    "'offloop --version' shows the version.",
    '',
    EXIT_CODES,
  );
  return lines.join('\n');
}

/** `offloop <command> --help`: its usage, what it does, its flags. */
export function commandHelp(line: CommandLine): string {
  const lines = [
    `usage: offloop ${line.usage}`,
    '',
    ...line.description
      .split('\n\n')
      .flatMap((p, i) => [...(i > 0 ? [''] : []), ...wrap(p.replace(/\s*\n\s*/g, ' '), 0)]),
  ];
  const flags = flagLines(line.flags);
  if (flags.length > 0) lines.push('', 'options:', ...flags.flatMap((row) => wrapRow(row)));
  return lines.join('\n');
}

/** Words of `text` in lines of at most COLUMNS, each indented by `indent` spaces. */
function wrap(text: string, indent: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current !== '' && indent + current.length + 1 + word.length > COLUMNS) {
      lines.push(' '.repeat(indent) + current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  if (current !== '') lines.push(' '.repeat(indent) + current);
  return lines;
}

/** A flag's help row, its text wrapped under itself when the row is too long. */
function wrapRow(row: string): string[] {
  if (row.length <= COLUMNS) return [row];
  const at = /^( *\S.*? {2,})(\S.*)$/.exec(row);
  if (at === null) return [row];
  const [first, ...rest] = wrap(at[2]!, at[1]!.length);
  return [at[1] + first!.trimStart(), ...rest];
}
