/**
 * DocumentReference ← records. The public notes are the first attachment; the internal notes are a
 * second one only where the policy allows `read_internal` on that record (decided for the whole page in
 * one query), as in the chart. An amendment `replaces` the record it amends (records are append-only).
 */
import type { Attachment, DocumentReference } from '@medplum/fhirtypes';
import type { ClinicalRecord } from '../../../domain/entities';
import { PATIENT_COLUMNS, PATIENT_JOIN, type ResourceMapping, type Row, type WithRestricted } from '../mapping';
import { securityMeta } from '../security';
import { dateParam, patientParam } from '../commonParams';

export const RECORD_CATEGORY_SYSTEM = 'urn:clinic-workstation:record-category';

const text = (title: string, notes: string): Attachment => ({
  contentType: 'text/plain; charset=utf-8',
  title,
  data: Buffer.from(notes, 'utf8').toString('base64'),
});

function toDocument(r: WithRestricted<ClinicalRecord>, internal: boolean): DocumentReference {
  const meta = securityMeta(r.sensitivity, r.patient_restricted);
  return {
    resourceType: 'DocumentReference',
    id: r.id,
    ...(meta ? { meta } : {}),
    status: 'current',
    type: { coding: [{ system: RECORD_CATEGORY_SYSTEM, code: r.category }], text: r.category },
    subject: { reference: `Patient/${r.patient_id}` },
    date: r.created_at,
    author: [{ reference: `Practitioner/${r.author_id}` }],
    ...(r.amends_id ? { relatesTo: [{ code: 'replaces', target: { reference: `DocumentReference/${r.amends_id}` } }] } : {}),
    content: [
      { attachment: text('Public notes', r.public_notes) },
      ...(internal && r.internal_notes ? [{ attachment: text('Internal notes', r.internal_notes) }] : []),
    ],
    context: { encounter: [{ reference: `Encounter/${r.appointment_id}` }] },
  };
}

export const documentReferenceMapping: ResourceMapping = {
  fhirType: 'DocumentReference',
  authz: 'Record',
  sorts: { date: 'm.created_at', _lastUpdated: 'm.created_at' },
  columns: PATIENT_COLUMNS,
  joins: PATIENT_JOIN,
  params: {
    patient: patientParam('The patient (`Patient/ID` or `ID`)'),
    subject: patientParam('The patient, as `patient`'),
    date: dateParam('m.created_at', 'When it was written (date)'),
    _lastUpdated: dateParam('m.created_at', 'As date: records are append-only (an amendment is a new record)'),
  },
  toFhir: async (rows: Row[], ctx) => {
    const records = rows as unknown as Array<WithRestricted<ClinicalRecord>>;
    const internal = await ctx.engine.permittedIds(
      ctx.actor,
      'read_internal',
      'Record',
      records.map((r) => r.id),
    );
    return records.map((r) => toDocument(r, internal.has(r.id)));
  },
};
