/**
 * Reading a medicine package's barcode for the "right medicine" check (SPEC §7b): what was scanned, and
 * whether it is the order's `product_code`. A barcode reader is a keyboard wedge, so a scan arrives as
 * text; what is accepted:
 *
 *   - a GTIN as digits: GTIN-8, UPC-A (12), EAN-13 or GTIN-14. They are compared as GTIN-14 (padded
 *     with leading zeros), so the EAN-13 5012345678900 is the GTIN-14 05012345678900. Check digits are
 *     not recomputed: the reader verifies them when it reads, and a typed code must equal the product
 *     code digit for digit anyway.
 *   - a GS1 element string, as a GS1 DataMatrix or GS1-128 sends it: AI (01) and its 14 digits, other
 *     AIs around it (expiry (17), batch (10), serial (21), …), variable-length fields ended by the group
 *     separator (ASCII 29). The human-readable form with brackets, "(01)05012345678900(17)271231(10)AB1",
 *     is read as well. An AIM symbology prefix (]d2 DataMatrix, ]C1 GS1-128, ]e0 DataBar, ]Q3 QR, ]E0
 *     EAN) is dropped.
 *   - anything else is a site's own code, compared with `product_code` after trimming, ignoring case.
 *
 * An expiry date (AI 17, YYMMDD; day 00 is the month's last day; years 2000–2099) travels with the read
 * so the check can refuse an expired package.
 */

export interface ProductRead {
  /** The GTIN-14, when the scan holds one. */
  gtin: string | null;
  /** Last day the package may be used, `YYYY-MM-DD`, when the scan says. */
  expiry: string | null;
  batch: string | null;
  serial: string | null;
  /** What comparisons use: the GTIN-14, or the trimmed upper-case text. */
  key: string;
  format: 'gtin' | 'gs1' | 'text';
}

const GS = '\u001d';
const SYMBOLOGY = /^\][A-Za-z][0-9A-Za-z]/;

/** AI → length of its data when fixed (GS1 General Specifications, "predefined length" table). */
function fixedLength(ai: string): number | null {
  if (ai === '00') return 18;
  if (ai === '01' || ai === '02' || ai === '03') return 14;
  if (ai === '04') return 16;
  if (/^1[1-9]$/.test(ai)) return 6;
  if (ai === '20') return 2;
  if (/^3[1-6]\d\d$/.test(ai)) return 6;
  if (/^41\d$/.test(ai)) return 13;
  return null;
}

/** How many digits the AI at the start of `s` has (2, 3 or 4), or null for an AI we do not know. */
function aiLength(s: string): number | null {
  if (/^(0[0-4]|1[0-7]|2[0-2]|30|37|9\d)/.test(s)) return 2;
  if (/^(23\d|24[0-3]|25[0-5]|40[0-3]|41[0-7]|42[0-7]|71[0-6])/.test(s)) return 3;
  if (/^(3[1-6]\d\d|39[0-4]\d|70\d\d|80\d\d|81\d\d|82\d\d)/.test(s)) return 4;
  return null;
}

/** Element string → AI → data. Stops at the first AI it does not know (what came before is kept). */
function elements(s: string): Map<string, string> {
  const out = new Map<string, string>();
  let rest = s.startsWith(GS) ? s.slice(1) : s;
  while (rest.length) {
    const n = aiLength(rest);
    if (n === null) break;
    const ai = rest.slice(0, n);
    rest = rest.slice(n);
    const fixed = fixedLength(ai);
    let data: string;
    if (fixed !== null) {
      data = rest.slice(0, fixed);
      rest = rest.slice(fixed);
      if (rest.startsWith(GS)) rest = rest.slice(1);
    } else {
      const end = rest.indexOf(GS);
      data = end < 0 ? rest : rest.slice(0, end);
      rest = end < 0 ? '' : rest.slice(end + 1);
    }
    if (!out.has(ai)) out.set(ai, data);
  }
  return out;
}

function bracketed(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of s.matchAll(/\((\d{2,4})\)([^(]*)/g)) if (!out.has(m[1]!)) out.set(m[1]!, m[2]!.trim());
  return out;
}

const pad14 = (digits: string): string => digits.padStart(14, '0');

function expiryDate(yymmdd: string | undefined): string | null {
  if (!yymmdd || !/^\d{6}$/.test(yymmdd)) return null;
  const year = 2000 + Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  let day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12) return null;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day === 0) day = last;
  if (day > last) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Reads a scanned or typed package code; null for an empty one. */
export function readProductBarcode(raw: string): ProductRead | null {
  const s = raw.trim().replace(SYMBOLOGY, '');
  if (!s) return null;
  if (/^(\d{8}|\d{12,14})$/.test(s))
    return { gtin: pad14(s), expiry: null, batch: null, serial: null, key: pad14(s), format: 'gtin' };
  const ais = s.startsWith('(') ? bracketed(s) : /^\d{16,}/.test(s.replace(GS, '')) || s.includes(GS) ? elements(s) : null;
  const gtin = ais?.get('01');
  if (ais && gtin && /^\d{14}$/.test(gtin)) {
    return {
      gtin,
      expiry: expiryDate(ais.get('17')),
      batch: ais.get('10') ?? null,
      serial: ais.get('21') ?? null,
      key: gtin,
      format: 'gs1',
    };
  }
  return { gtin: null, expiry: null, batch: null, serial: null, key: s.toUpperCase(), format: 'text' };
}

/** Whether a scan is the product of `productCode` (itself read the same way, so either may be a GTIN form). */
export function sameProduct(scan: string, productCode: string): boolean {
  const a = readProductBarcode(scan);
  const b = readProductBarcode(productCode);
  return a !== null && b !== null && a.key === b.key;
}
