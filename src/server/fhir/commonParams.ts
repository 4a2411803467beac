/** Search parameters shared by the patient-owned resource types. */
import { dateCondition, mappedCondition, parsePatientRef } from './params';
import type { SearchParam } from './mapping';
import { inList, or } from '../../store/sql';

export function patientParam(doc: string, column = 'm.patient_id'): SearchParam {
  return {
    type: 'reference',
    documentation: doc,
    condition: (values) =>
      inList(
        column,
        values.map((v) => parsePatientRef('patient', v)),
      ),
  };
}

export function dateParam(column: string, doc: string): SearchParam {
  return { type: 'date', documentation: doc, condition: (values) => or(...values.map((v) => dateCondition(column, 'date', v))) };
}

export function statusParam(name: string, column: string, map: Record<string, string>, doc: string): SearchParam {
  return { type: 'token', documentation: doc, condition: (values) => mappedCondition(name, column, map, values) };
}
