/**
 * Comparing people's names for the possible-duplicate warning at registration (issue 18): "Karl Tanaka",
 * "karl  TANAKA" and "Kärl Tanaka" are the same name to a clerk typing fast. The key ignores case,
 * accents (Unicode NFKD, combining marks dropped) and runs of white space; it is for comparing only,
 * never for storing or showing.
 */
export function nameKey(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/ß/g, 'ss').replace(/\s+/gu, ' ').trim();
}

export const sameName = (a: string, b: string): boolean => nameKey(a) === nameKey(b);
