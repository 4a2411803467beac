/**
 * Possible double doses (SPEC §6, issue 19 item 4). A medicine given is a fact: when two workstations
 * record the same dose offline, sync keeps both administrations, marks the later one as a possible
 * double dose and raises a `critical` alert on the patient. The same dose means
 *   - a scheduled order: two `given` administrations with the same `scheduled_for`;
 *   - a prn order: a `given` dose less than `min_interval_hours` after an earlier given one (exactly the
 *     interval apart is allowed, as the right-time check allows it).
 * "Later" is by `at`, and for the same `at` by id (string order), so every workstation and the server
 * pick the same administration. Every given dose counts as given, a flagged one too: a third dose inside
 * the interval of a flagged one is flagged as well. Held, refused and not-given records never count.
 */
import { canonicalTime } from './time';

export interface AdministrationLike {
  id: string;
  status: 'given' | 'held' | 'refused' | 'not_given';
  scheduled_for?: string | null;
  at: string;
}

export interface OrderLike {
  prn?: boolean | null;
  min_interval_hours?: number | null;
}

export interface PossibleDoubleDose {
  /** The later administration: the one marked. */
  administration_id: string;
  /** The given dose it repeats. */
  earlier_id: string;
  rule: 'same_scheduled_dose' | 'prn_interval';
  /** `double-dose:` and the marked administration's id (see doubleDoseAlertId). */
  alert_id: string;
}

const time = (a: AdministrationLike): number => {
  const t = canonicalTime(a.at);
  return t === null ? NaN : Date.parse(t);
};

/** Earlier first: by time, then by id. */
function byTimeThenId(a: AdministrationLike, b: AdministrationLike): number {
  const d = time(a) - time(b);
  if (d !== 0) return d;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The possible double doses among one order's administrations, in time order. Administrations whose
 * `at` is not a time are left out (they cannot be ordered; storage never holds them).
 */
export function possibleDoubleDoses(order: OrderLike, administrations: readonly AdministrationLike[]): PossibleDoubleDose[] {
  const given = administrations.filter((a) => a.status === 'given' && !Number.isNaN(time(a))).sort(byTimeThenId);
  const out: PossibleDoubleDose[] = [];
  if (order.prn) {
    const hours = order.min_interval_hours ?? 0;
    if (!(hours > 0)) return out;
    const interval = hours * 3_600_000;
    // Sorted, the nearest earlier dose is the one before: when it is outside the interval, all are.
    for (let i = 1; i < given.length; i++) {
      const [before, a] = [given[i - 1]!, given[i]!];
      if (time(a) - time(before) < interval) out.push(flag(a, before, 'prn_interval'));
    }
    return out;
  }
  const firstOf = new Map<string, AdministrationLike>();
  for (const a of given) {
    const slot = a.scheduled_for ? canonicalTime(a.scheduled_for) : null;
    if (slot === null) continue;
    const first = firstOf.get(slot);
    if (first) out.push(flag(a, first, 'same_scheduled_dose'));
    else firstOf.set(slot, a);
  }
  return out;
}

function flag(a: AdministrationLike, earlier: AdministrationLike, rule: PossibleDoubleDose['rule']): PossibleDoubleDose {
  return { administration_id: a.id, earlier_id: earlier.id, rule, alert_id: doubleDoseAlertId(a.id) };
}

/** The id of the alert a possible double dose raises: `double-dose:` and the marked administration's id. */
export function doubleDoseAlertId(administrationId: string): string {
  if (!administrationId) throw new TypeError('doubleDoseAlertId: an administration id is required');
  return `double-dose:${administrationId}`;
}

/** The alert's message: "Possible double dose: Morphine sulfate 5 mg was given twice for the same dose. Check the patient now." */
export function doubleDoseMessage(order: { medication: string; dose: number; unit: string }, dd: PossibleDoubleDose): string {
  const what = `${order.medication} ${order.dose} ${order.unit}`;
  return dd.rule === 'same_scheduled_dose'
    ? `Possible double dose: ${what} was recorded as given twice for the same scheduled dose. Check the patient now.`
    : `Possible double dose: ${what} was given again within its minimum interval. Check the patient now.`;
}
