/**
 * Paths and messages as one line of plain text each: a file's name may hold
 * any byte but `/` and NUL, and a newline in one must not forge a line
 * (`processed: fake.jpg`) for whoever reads the output.
 */

// C0 and C1 controls, DEL, and the characters that break or reorder a
// line without being controls: U+2028/9 (line and paragraph separators),
// the bidirectional marks, embeddings, overrides and isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\\]/g;
// The same less the backslash, for Windows (see escapeText).
const UNSAFE_ON_WINDOWS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '\\': '\\\\',
};

/**
 * `text` with control characters written as C escapes, as `ls --escape`
 * (`ls -b`) writes names: a newline as `\n`, ESC as `\x1b`, U+2028 as
 * `\u2028`, and a backslash as `\\` so an escape cannot be faked either.
 * Other text, spaces and non-ASCII letters included, is left as it is.
 *
 * On Windows a backslash is the path separator and no file name holds one
 * (nor a C0 control), so `C:\photos\new` is written as it is, not as
 * `C:\\photos\\new`; C1 controls and the line-breaking and reordering
 * characters, which NTFS names may hold, are still escaped.
 */
export function escapeText(text: string, platform: NodeJS.Platform = process.platform): string {
  return text.replace(platform === 'win32' ? UNSAFE_ON_WINDOWS : UNSAFE, (char) => {
    const named = NAMED[char];
    if (named !== undefined) return named;
    const code = char.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Why a file failed, for a line that names the file already: offloop's
 * `offloop: <path>: ` prefix, and a system error's `'<path>'` after the
 * call's name when it is the same file, are left out.
 * `ENOENT: no such file or directory, open 'in/a.jpg'` -> `ENOENT: no such
 * file or directory, open`; a path that is not the input's (the output's)
 * stays.
 */
export function reasonOf(error: Error, input: string): string {
  const message = String(error.message);
  const own = `offloop: ${input}: `;
  if (message.startsWith(own)) return message.slice(own.length);
  const path = ` '${input}'`;
  if (/^E[A-Z0-9]+: /.test(message) && message.endsWith(path)) return message.slice(0, -path.length);
  return message.replace(/^offloop: /, '');
}
