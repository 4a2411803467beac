/**
 * Text from a database printed to a terminal (docs/security.md, T4). Names and ids come from
 * workstations and users: raw, a control sequence in one could move the cursor, erase lines or
 * recolour the output and so hide a "BROKEN" line. Every character that is not plain printable
 * text — C0/C1 controls (ESC, CR, BEL, backspace…), DEL, bidirectional overrides and invisible
 * format characters — is shown as a visible escape such as \x1b or \u202e.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** console.log for lines that may carry database text: one escaped line per call. */
export const say = (line: string): void => {
  console.log(printable(line));
};
export const complain = (line: string): void => {
  console.error(printable(line));
};
