/**
 * Text from a database printed to a terminal (docs/security.md, T4). Names and ids come from
 * workstations and users: raw, a control sequence in one could move the cursor, erase lines or
 * recolour the output and so hide a "BROKEN" line. Every character that is not plain printable
 * text — C0/C1 controls (ESC, CR, BEL, backspace…), DEL, bidirectional overrides and invisible
 * format characters — is shown as a visible escape such as \x1b or \u202e (src/domain/printable.ts).
 */
import { printable } from '../domain/printable';

/** console.log for lines that may carry database text: one escaped line per call. */
export const say = (line: string): void => {
  console.log(printable(line));
};
export const complain = (line: string): void => {
  console.error(printable(line));
};
