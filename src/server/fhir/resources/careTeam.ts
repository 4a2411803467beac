/**
 * CareTeam ← care_teams with their members (users, lead or member) and specialties. A team is read by
 * whoever may read its organization (its staff, root), in the same statement. The team's patients are
 * not told: which patients a team has is each patient's data, read under each patient's own decision.
 */
import type { CareTeam, CareTeamParticipant } from '@medplum/fhirtypes';
import type { CareTeam as TeamRow } from '../../../domain/entities';
import { or } from '../../../store/sql';
import type { MapContext, ResourceMapping, Row } from '../mapping';
import { stringCondition } from '../params';

const SPECIALTY_SYSTEM = 'urn:clinic-workstation:specialty';
const TEAM_ROLE_SYSTEM = 'urn:clinic-workstation:care-team-role';

async function toTeams(rows: TeamRow[], ctx: MapContext): Promise<CareTeam[]> {
  if (rows.length === 0) return [];
  const marks = rows.map(() => '?').join(', ');
  const ids = rows.map((r) => r.id);
  const members = await ctx.engine.db.all<{ team_id: string; user_id: string; role: string }>(
    `SELECT team_id, user_id, role FROM care_team_members WHERE user_id IS NOT NULL AND team_id IN (${marks}) ORDER BY id`,
    ids,
  );
  const specialties = await ctx.engine.db.all<{ team_id: string; specialty: string }>(
    `SELECT team_id, specialty FROM care_team_specialties WHERE team_id IN (${marks}) ORDER BY specialty`,
    ids,
  );
  return rows.map((t) => {
    const participant: CareTeamParticipant[] = members
      .filter((m) => m.team_id === t.id)
      .map((m) => ({
        role: [{ coding: [{ system: TEAM_ROLE_SYSTEM, code: m.role }], text: m.role }],
        member: { reference: `Practitioner/${m.user_id}` },
      }));
    const mine = specialties.filter((s) => s.team_id === t.id);
    return {
      resourceType: 'CareTeam',
      id: t.id,
      status: 'active',
      name: t.name,
      managingOrganization: [{ reference: `Organization/${t.org_id}` }],
      ...(mine.length
        ? { category: mine.map((s) => ({ coding: [{ system: SPECIALTY_SYSTEM, code: s.specialty }], text: s.specialty })) }
        : {}),
      ...(participant.length ? { participant } : {}),
    };
  });
}

export const careTeamMapping: ResourceMapping = {
  fhirType: 'CareTeam',
  authz: 'Organization',
  key: 'ct.id',
  auditType: 'CareTeam',
  columns: 'ct.*',
  joins: 'JOIN care_teams ct ON ct.org_id = m.id',
  ownerSql: 'SELECT org_id FROM care_teams WHERE id = ?',
  sorts: { name: 'ct.name' },
  params: {
    name: {
      type: 'string',
      documentation: 'A word of the name starts with the value (case-insensitive); `:exact`, `:contains`',
      modifiers: ['exact', 'contains'],
      condition: (values, modifier) => or(...values.map((v) => stringCondition('ct.name', v, modifier))),
    },
  },
  toFhir: (rows: Row[], ctx) => toTeams(rows as unknown as TeamRow[], ctx),
};
