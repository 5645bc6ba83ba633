/**
 * A command's flags, declared once: the table that parses them (Node's
 * parseArgs underneath), checks and converts their values, and writes their
 * lines in `offloop <command> --help`. A new flag is one entry in its
 * command's table; nothing else needs to know of it.
 */
import { parseArgs } from 'node:util';

import { closest } from './suggest.js';
import { UsageError } from './usage.js';

interface FlagBase {
  /** One letter: `-o` for `--out-dir`. */
  short?: string;
  /** The help's text for it, lower case, no full stop: `where outputs go (required)`. */
  help: string;
  /** A heading in the help that this flag and the next ones go under (the first flags have none). */
  section?: string;
}

/** An on/off flag: `--json`. */
export interface BooleanFlag extends FlagBase {
  type: 'boolean';
}

/** A flag with a free value: `--out-dir <dir>`; `multiple`: may be repeated, the values kept in order. */
export interface StringFlag extends FlagBase {
  type: 'string';
  /** The value's name in the help: `<dir>`. */
  value: string;
  multiple?: boolean;
}

/** A whole number from `min` to `max`, written in decimal digits: `--quality <1-100>`. */
export interface IntegerFlag extends FlagBase {
  type: 'integer';
  min: number;
  max: number;
  /** The value's name in the help (default `<min-max>`). */
  value?: string;
}

/** One of a few words: `--format same|jpeg|png`. */
export interface ChoiceFlag extends FlagBase {
  type: 'choice';
  choices: readonly string[];
}

export type Flag = BooleanFlag | StringFlag | IntegerFlag | ChoiceFlag;

/** A command's flags by long name (without `--`). Declare with `as const satisfies FlagTable` to keep the choices' types. */
export type FlagTable = Readonly<Record<string, Flag>>;

type ValueOf<F extends Flag> = F extends BooleanFlag
  ? boolean
  : F extends IntegerFlag
    ? number
    : F extends ChoiceFlag
      ? F['choices'][number]
      : F extends { multiple: true }
        ? string[]
        : string;

/** The flags given, converted: `undefined` for a flag not given. */
export type FlagValues<T extends FlagTable> = { -readonly [K in keyof T]?: ValueOf<T[K]> };

export interface Parsed<T extends FlagTable> {
  values: FlagValues<T>;
  positionals: string[];
}

/** What a command declares of its command line: see `commandHelp` for how it shows. */
export interface CommandLine<T extends FlagTable = FlagTable> {
  name: string;
  /** After `usage: offloop `: `gray <files or dirs...> -o <dir> [options]`. */
  usage: string;
  /** The help's paragraph(s) between the usage and the flags. */
  description: string;
  flags: T;
  /** How many arguments that are not flags it takes (default none). */
  positionals?: { min: number; max: number };
}

/**
 * Parses `argv` (the words after the command's name) by `line`'s table.
 * Throws UsageError, in offloop's words, for an unknown flag (with the
 * closest known one), a missing or bad value, or an unexpected argument.
 */
export function parseFlags<T extends FlagTable>(line: CommandLine<T>, argv: readonly string[]): Parsed<T> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, flag] of Object.entries(line.flags)) {
    options[name] = {
      type: flag.type === 'boolean' ? 'boolean' : 'string',
      ...(flag.short === undefined ? {} : { short: flag.short }),
      ...(flag.type === 'string' && flag.multiple ? { multiple: true } : {}),
    };
  }
  // Not strict: Node's own messages for a mistake are replaced by ours, made from the tokens.
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') continue;
    const flag = line.flags[token.name];
    if (flag === undefined) throw unknownFlag(line, token.rawName);
    const shown = token.rawName === `--${token.name}` ? token.rawName : `${token.rawName} (--${token.name})`;
    if (flag.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${shown} takes no value; got '${token.value}'`);
      values[token.name] = true;
      continue;
    }
    if (token.value === undefined) throw new UsageError(`${shown} needs a value: ${formOf(token.name, flag)}`);
    if (!token.inlineValue && token.value.startsWith('-') && token.value !== '-') {
      throw new UsageError(
        `${shown} needs a value, not the flag '${token.value}' (for a value that starts with '-', write --${token.name}=${token.value})`,
      );
    }
    const value = convert(token.name, flag, token.value);
    if (flag.type === 'string' && flag.multiple) {
      values[token.name] ??= [];
      (values[token.name] as unknown[]).push(value);
    } else values[token.name] = value;
  }
  const { min, max } = line.positionals ?? { min: 0, max: 0 };
  if (positionals.length > max) {
    const extra = positionals[max]!;
    throw new UsageError(max === 0 ? `takes no arguments; got '${extra}'` : `unexpected argument '${extra}'`);
  }
  if (positionals.length < min)
    throw new UsageError(`needs ${min === 1 ? 'an argument' : `${min} arguments`}: ${line.usage}`);
  return { values: values as FlagValues<T>, positionals };
}

function convert(name: string, flag: Exclude<Flag, BooleanFlag>, value: string): string | number {
  if (flag.type === 'integer') {
    const number = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number) || number < flag.min || number > flag.max) {
      throw new UsageError(`--${name} must be an integer from ${flag.min} to ${flag.max}; got '${value}'`);
    }
    return number;
  }
  if (flag.type === 'choice' && !flag.choices.includes(value)) {
    const near = closest(value, flag.choices);
    throw new UsageError(
      `--${name} must be one of ${flag.choices.join(', ')}; got '${value}'${near === undefined ? '' : ` (did you mean '${near}'?)`}`,
    );
  }
  return value;
}

function unknownFlag(line: CommandLine, raw: string): UsageError {
  const names = Object.entries(line.flags).flatMap(([name, flag]) => [
    `--${name}`,
    ...(flag.short === undefined ? [] : [`-${flag.short}`]),
  ]);
  // `--fromat=png` and `--fromat png` alike: the name is what is compared.
  const near = closest(
    raw,
    names.filter((name) => name.startsWith('--') === raw.startsWith('--')),
  );
  return new UsageError(`unknown option '${raw}'${near === undefined ? '' : ` (did you mean ${near}?)`}`);
}

/** How a flag is written with its value: `--out-dir <dir>`, `--format same|jpeg|png`. */
export function formOf(name: string, flag: Flag): string {
  if (flag.type === 'boolean') return `--${name}`;
  if (flag.type === 'choice') return `--${name} ${flag.choices.join('|')}`;
  if (flag.type === 'integer') return `--${name} ${flag.value ?? `<${flag.min}-${flag.max}>`}`;
  return `--${name} ${flag.value}`;
}

/** The help's lines for a table: `  -o, --out-dir <dir>   where outputs go (required)`, with section headings. */
export function flagLines(flags: FlagTable): string[] {
  const rows = Object.entries(flags).map(([name, flag]) => ({
    form: `${flag.short === undefined ? '    ' : `-${flag.short}, `}${formOf(name, flag)}`,
    flag,
  }));
  const width = Math.max(...rows.map((row) => row.form.length));
  const lines: string[] = [];
  for (const { form, flag } of rows) {
    if (flag.section !== undefined) lines.push('', `${flag.section}:`);
    lines.push(`  ${form.padEnd(width)}  ${flag.help}`);
  }
  return lines;
}
