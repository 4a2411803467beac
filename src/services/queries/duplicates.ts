/**
 * Possible duplicates at registration (issue 18): patients of the organization with the same birth date
 * and the same name, compared without case, accents or extra spaces (src/domain/personName.ts). Only
 * patients the registering user may read are named: a clerk is not told about a restricted patient or
 * one outside their facility (SPEC §3a never reveal); those are left to the records department's merge.
 */
import type { Actor } from '../../authz/actor';
import { sameName } from '../../domain/personName';
import type { ServiceContext } from '../context';

export interface PossibleDuplicate {
  id: string;
  mrn: string;
  name: string;
  birth_date: string;
  /** "28 Jan 1959". */
  born: string;
  /** "CARD 107 · Cardiology", a facility for an outpatient, or null. */
  location: string | null;
  status: string;
}

const calendar = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

export async function possibleDuplicates(
  ctx: ServiceContext,
  actor: Actor,
  who: { org: string; name: string; birth_date: string },
): Promise<PossibleDuplicate[]> {
  const sameBirth = await ctx.authz.listAs<Omit<PossibleDuplicate, 'born' | 'location'> & Record<string, string | null>>(
    actor,
    'read',
    'Patient',
    {
      columns: 'm.id, m.mrn, m.name, m.birth_date, m.status, r.name AS room_name, w.name AS ward_name, f.name AS facility_name',
      joins:
        'LEFT JOIN rooms r ON r.id = m.room_id LEFT JOIN wards w ON w.id = r.ward_id LEFT JOIN facilities f ON f.id = COALESCE(w.facility_id, m.facility_id)',
      where: 'm.org_id = ? AND m.birth_date = ?',
      params: [who.org, who.birth_date],
      orderBy: 'm.mrn',
    },
  );
  return sameBirth
    .filter((p) => sameName(p.name, who.name))
    .map((p) => ({
      id: p.id,
      mrn: p.mrn,
      name: p.name,
      birth_date: p.birth_date,
      born: calendar.format(new Date(`${p.birth_date}T00:00:00Z`)),
      location: [p.room_name, p.ward_name ?? p.facility_name].filter(Boolean).join(' · ') || null,
      status: p.status,
    }));
}
