/**
 * Which reverse proxies the server believes (docs/install.md, "Sign-in protection behind a proxy").
 * `X-Forwarded-For` names the client only when the request comes from one of these addresses or
 * networks; from anyone else it is ignored, so a client cannot choose the address its limits and
 * sign-in budget are kept under. There is no "trust everyone" switch: `TRUST_PROXY=true` made every
 * client's own header believed (security round 3, finding 3) and is refused at start.
 */
import { isIP } from 'node:net';

export class ProxyListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProxyListError';
  }
}

const EXAMPLE = 'for example TRUST_PROXY=10.0.0.5,10.1.0.0/16,::1';

/** One address (`10.0.0.5`, `::1`) or network (`10.1.0.0/16`, `fd00::/8`), else why not. */
function problem(entry: string): string | null {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (extra !== undefined || family === 0) return 'is not an IP address or network';
  if (prefix === undefined) return null;
  const bits = Number(prefix);
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(prefix) && bits >= 0 && bits <= max ? null : `has a network size outside /0–/${max}`;
}

/**
 * The trusted proxies from `TRUST_PROXY` (comma-separated addresses and networks); none when unset,
 * empty or `false`. Anything else — `true`, a hop count, a host name, a malformed network — stops the start
 * with a sentence naming the bad entry.
 */
export function parseTrustedProxies(value: string | undefined): string[] {
  if (value === undefined || /^\s*(|false|no|off|0)\s*$/i.test(value)) return [];
  if (/^(true|yes|on|1|\*)$/i.test(value.trim()))
    throw new ProxyListError(
      `TRUST_PROXY="${value.trim()}" would believe every client's own X-Forwarded-For header (a client could then pick its address and escape or misdirect the sign-in limits). List the reverse proxy's addresses or networks instead, ${EXAMPLE}.`,
    );
  const entries = value.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const why = entry === '' ? 'is empty (a stray comma?)' : problem(entry);
    if (why)
      throw new ProxyListError(
        `TRUST_PROXY is not a list of proxy addresses: "${entry.slice(0, 80)}" ${why}. Give addresses or networks separated by commas, ${EXAMPLE}.`,
      );
  }
  return entries;
}
