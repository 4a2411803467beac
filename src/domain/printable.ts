/**
 * Text from the audit log shown to people and their tools (docs/security.md, T4 and I9). Names, ids and
 * reasons come from workstations and users: raw, a control sequence could rewrite a terminal, a
 * right-to-left override or zero-width character could make one name read as another, and a cell
 * starting with `=` could run as a spreadsheet formula.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Every character that is not plain printable text — C0/C1 controls (ESC, CR, LF, tab, BEL,
 * backspace…), DEL, bidirectional overrides and isolates, invisible format characters and lone
 * surrogates — as a visible escape such as \x1b or \u202e.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * A spreadsheet runs a cell as a formula when it starts — after any leading whitespace — with `=`,
 * `+`, `-` or `@` (or their full-width forms); such a cell is prefixed with an apostrophe, which
 * spreadsheets show as text and do not run.
 */
const FORMULA_START = /^\s*[=+\-@\uff1d\uff0b\uff0d\uff20]/;
export const withoutFormula = (cell: string): string => (FORMULA_START.test(cell) ? `'${cell}` : cell);
