/** Registration, demographics, discharge (SPEC §3 Patient rows). */
import { z } from 'zod';
import { AppError, conflict, invalid } from '../../domain/errors';
import { BirthDate, Id, Mrn, Name, NewId } from '../../domain/schemas';
import type { Patient } from '../../domain/entities';
import { possibleDuplicates, type PossibleDuplicate } from '../queries/duplicates';
import { getPatient, roomOrg, scopeOrg } from '../load';
import { checkBirthDate } from '../validation';
import type { ServiceContext } from '../context';
import { defineMutation, ref } from '../run';

// An MRN as shown or stored (the base an edit starts from); what is registered or changed is `Mrn`.
const Demographics = {
  mrn: z.string().trim().min(1, 'is required').max(100),
  name: Name,
  birth_date: BirthDate,
  room_id: Id.nullable(),
  /** Where an outpatient without a room is registered (SPEC §2); a room's facility wins. */
  facility_id: Id.nullable(),
  status: z.enum(['outpatient', 'admitted']),
};

/**
 * An MRN already registered in the organization, compared as mrn.ts compares them (case-insensitively
 * after NFKC: stored MRNs are canonical, older rows are matched without case).
 */
const mrnTaken = (ctx: ServiceContext, org: string, mrn: string, except?: string): Promise<unknown> =>
  ctx.db.get(`SELECT 1 FROM patients WHERE org_id = ? AND UPPER(mrn) = ?${except ? ' AND id <> ?' : ''}`, [
    org,
    mrn,
    ...(except ? [except] : []),
  ]);

export const registerPatient = defineMutation({
  name: 'registerPatient',
  args: z
    .object({
      id: NewId('pat'),
      org_id: Id.optional(),
      ...Demographics,
      // Its canonical form (src/domain/mrn.ts): "stm-100013" is STM-100013; look-alikes are refused.
      mrn: Mrn,
      facility_id: Id.nullish(),
      /**
       * The possible duplicates (same name and birth date) the clerk was shown and declared to be other
       * people (issue 18). Registering beside one not listed here is refused with the list to check.
       */
      not_duplicate_of: z.array(Id).max(50).optional(),
    })
    .strict(),
  async plan(ctx, a, who) {
    const org = a.org_id ?? who.actor.org_id;
    const mrn = a.mrn;
    const overridden = a.not_duplicate_of ?? [];
    // The room and facility are checked against the user's own organization before the decision (checking
    // them against a named other organization would let anyone probe which rooms that organization has),
    // and against the patient's organization after it.
    const roomOrgId = a.room_id ? await roomOrg(ctx.db, a.room_id) : null;
    if (a.room_id && roomOrgId !== who.actor.org_id) throw invalid('That room does not exist in this organization.');
    const facilityOrgId = a.facility_id ? await scopeOrg(ctx.db, 'Facility', a.facility_id) : null;
    if (a.facility_id && facilityOrgId !== who.actor.org_id) throw invalid('That facility does not exist in this organization.');
    if (a.status === 'admitted' && !a.room_id) throw invalid('An admitted patient needs a room.');
    const patient: Patient = {
      id: a.id,
      org_id: org,
      mrn,
      name: a.name,
      birth_date: a.birth_date,
      room_id: a.room_id,
      status: a.status,
      restricted: 0,
      facility_id: a.facility_id ?? null,
      // SPEC §3b: allergies not recorded yet; SpO2 scale 1 until a prescriber says otherwise.
      no_known_allergies: null,
      spo2_scale: 1,
    };
    return {
      // Registering is `update` judged on the new patient: admin or registration clerk covering its room
      // (or, for an outpatient without one, its facility).
      checks: [
        {
          action: 'update',
          target: { type: 'Patient', object: { ...patient } },
          checkRead: false,
          forbidden: 'You may not register patients in that location.',
        },
      ],
      audit: {
        action: 'register_patient',
        resource: ref('Patient', a.id),
        orgId: org,
        // The deliberate override is on the record: who registered beside which possible duplicates.
        reason: overridden.length ? `not a duplicate of ${overridden.map((id) => ref('Patient', id)).join(', ')}` : null,
      },
      summary: `Registration of ${a.name}`,
      recordedArgs: { ...a, mrn, org_id: org },
      async apply(w, resolved, now) {
        if (a.room_id && roomOrgId !== org) throw invalid('That room does not exist in this organization.');
        checkBirthDate(a.birth_date, now);
        if (a.facility_id && facilityOrgId !== org) throw invalid('That facility does not exist in this organization.');
        if (await mrnTaken(ctx, org, mrn)) {
          throw conflict(
            `Medical record number ${mrn} is already registered to another patient. Search for it before registering, or check the number.`,
          );
        }
        const unchecked = (await possibleDuplicates(ctx, resolved.actor, { org, name: a.name, birth_date: a.birth_date })).filter(
          (d) => !overridden.includes(d.id),
        );
        if (unchecked.length > 0) throw duplicateWarning(unchecked);
        // Ids are random (NewId): a collision means the same request came twice, or a copied id.
        // The answer is the same whichever organization holds it.
        if (await ctx.db.get('SELECT 1 FROM patients WHERE id = ?', [a.id]))
          throw conflict('This id is already in use; register again to get a new one.');
        await w.insert('patients', patient);
        return patient;
      },
    };
  },
});

/** Registering beside a possible duplicate: the clerk sees whom, and may go on only deliberately. */
function duplicateWarning(found: PossibleDuplicate[]): AppError {
  const first = found[0]!;
  const more = found.length > 1 ? ` and ${found.length - 1} more` : '';
  return conflict(
    `Possible duplicate: ${first.name}, born ${first.born}, is already registered (MRN ${first.mrn})${more}. ` +
      'Open their record instead, or confirm that this is a different person.',
    { possible_duplicates: found },
  );
}

const DemographicFields = z.object(Demographics).partial().strict();
/** A changed MRN is stored in its canonical form, like a registered one; the base stays as it was seen. */
const ChangedFields = z
  .object({ ...Demographics, mrn: Mrn })
  .partial()
  .strict();

/**
 * `base` holds the values the user saw before editing: a field changed meanwhile by someone else is a
 * conflict the user resolves, never a silent overwrite (SPEC §6, sync issue).
 */
export const updatePatient = defineMutation({
  name: 'updatePatient',
  args: z
    .object({ id: Id, changes: ChangedFields, base: DemographicFields })
    .strict()
    .refine((a) => Object.keys(a.changes).length > 0, 'nothing to change')
    .refine((a) => Object.keys(a.changes).every((k) => k in a.base), 'every changed field needs its previous value in base'),
  async plan(ctx, a, who) {
    const current = await getPatient(ctx.db, a.id);
    const next = current ? { ...current, ...a.changes } : undefined;
    // Rooms are reference data, not secret; an unknown room would also break the coverage check. Compared with
    // the user's organization (only its staff may edit its patients), never the patient's: before the
    // decision, that would tell a patient the user may not read (or of another organization) from no patient.
    if (a.changes.room_id && (await roomOrg(ctx.db, a.changes.room_id)) !== who.actor.org_id) {
      throw invalid('That room does not exist in this organization.');
    }
    if (a.changes.facility_id && (await scopeOrg(ctx.db, 'Facility', a.changes.facility_id)) !== who.actor.org_id) {
      throw invalid('That facility does not exist in this organization.');
    }
    return {
      checks: [
        {
          action: 'update',
          target: current ? { type: 'Patient' as const, id: a.id } : null,
          forbidden: 'You may not edit this patient.',
          notFound: 'That patient was not found.',
        },
        // Moving a patient: the user must also cover the destination.
        ...(next && (a.changes.room_id !== undefined || a.changes.facility_id !== undefined)
          ? [
              {
                action: 'update',
                target: { type: 'Patient' as const, object: { ...next } },
                checkRead: false,
                forbidden:
                  a.changes.room_id !== undefined
                    ? 'You may not move the patient to that room.'
                    : 'You may not register the patient at that facility.',
              },
            ]
          : []),
      ],
      audit: { action: 'update_patient', resource: ref('Patient', a.id), orgId: current?.org_id ?? null },
      summary: `Details of ${current?.name ?? 'a patient'}`,
      async apply(w, _who, now) {
        if (next!.status === 'admitted' && !next!.room_id) throw invalid('An admitted patient needs a room.');
        if (a.changes.birth_date) checkBirthDate(a.changes.birth_date, now);
        if (a.changes.mrn && a.changes.mrn !== current!.mrn && (await mrnTaken(ctx, current!.org_id, a.changes.mrn, a.id))) {
          throw conflict(`Medical record number ${a.changes.mrn} is already registered to another patient. Check the number.`);
        }
        if (a.changes.status && !['outpatient', 'admitted'].includes(current!.status)) {
          throw invalid('A discharged patient is readmitted by registering a new stay, not by editing.');
        }
        const fields = Object.keys(a.changes) as Array<keyof typeof a.changes>;
        const changed = fields.filter((f) => current![f] !== a.base[f]);
        if (changed.length > 0) {
          throw conflict(
            `Someone else changed ${changed.join(', ')} of this patient meanwhile. Review their change and edit again.`,
            {
              fields: changed,
              theirs: Object.fromEntries(changed.map((f) => [f, current![f]])),
            },
          );
        }
        const expect = Object.fromEntries(fields.map((f) => [f, a.base[f] ?? null]));
        const row = await w.update('patients', { id: a.id }, a.changes, expect);
        if (!row) throw conflict('This patient was changed meanwhile. Please reopen the chart and edit again.');
        return row as unknown as Patient;
      },
    };
  },
});

/**
 * SPEC §3a confidentiality R: a restricted patient is covered only by assignments cleared for
 * `restricted`. Marking or unmarking needs `update` on the patient.
 */
export const setPatientRestricted = defineMutation({
  name: 'setPatientRestricted',
  args: z.object({ id: Id, restricted: z.boolean() }).strict(),
  async plan(ctx, a) {
    const p = await getPatient(ctx.db, a.id);
    return {
      checks: [
        {
          action: 'update',
          target: p ? { type: 'Patient', id: a.id } : null,
          notFound: 'That patient was not found.',
          forbidden: 'You may not change who may see this patient.',
        },
      ],
      audit: {
        action: a.restricted ? 'restrict_patient' : 'unrestrict_patient',
        resource: ref('Patient', a.id),
        orgId: p?.org_id ?? null,
      },
      summary: `${a.restricted ? 'Restricted' : 'Restriction lifted'}: ${p?.name ?? a.id}`,
      async apply(w) {
        const row = await w.update('patients', { id: a.id }, { restricted: a.restricted ? 1 : 0 });
        return row as unknown as Patient;
      },
    };
  },
});

interface StatusText {
  forbidden: string;
  wrongState: string;
  summary: string;
}

function statusChange(
  name: string,
  action: string,
  from: Patient['status'],
  to: Patient['status'],
  clearRoom: boolean,
  text: StatusText,
) {
  return defineMutation({
    name,
    args: z.object({ id: Id }).strict(),
    async plan(ctx, a) {
      const p = await getPatient(ctx.db, a.id);
      return {
        checks: [
          {
            action,
            target: { type: 'Patient', id: a.id },
            notFound: 'That patient was not found.',
            forbidden: p && p.status !== from ? text.wrongState : text.forbidden,
          },
        ],
        audit: { action, resource: ref('Patient', a.id), orgId: p?.org_id ?? null },
        summary: `${text.summary}: ${p?.name ?? a.id}`,
        async apply(w, _who, now) {
          // A final discharge keeps the room it clears, and when: a dose given there before it may still
          // arrive from an offline workstation (docs/clinical-rules.md "Doses that arrive late").
          const change = clearRoom
            ? { status: to, room_id: null, discharged_from_room_id: p?.room_id ?? null, final_discharged_at: now }
            : { status: to };
          const row = await w.update('patients', { id: a.id }, change, { status: from });
          if (!row) throw new AppError('conflict', text.wrongState);
          return row as unknown as Patient;
        },
      };
    },
  });
}

export const dischargePatient = statusChange('dischargePatient', 'discharge', 'admitted', 'discharged', false, {
  forbidden: 'Only a physician covering this patient may discharge them.',
  wrongState: 'Only admitted patients can be discharged.',
  summary: 'Discharge',
});

export const finalDischargePatient = statusChange(
  'finalDischargePatient',
  'final_discharge',
  'discharged',
  'final_discharged',
  true,
  {
    forbidden: 'Only an administrator covering this patient may complete the discharge.',
    wrongState: 'Only discharged patients can be finally discharged.',
    summary: 'Final discharge',
  },
);
