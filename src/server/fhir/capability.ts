/** The CapabilityStatement: exactly the types, interactions and search parameters this server answers. */
import type { CapabilityStatement } from '@medplum/fhirtypes';
import type { ResourceMapping } from './mapping';
import { MAPPINGS } from './resources';
import { WRITABLE } from './writes/service';

/** Writes served per type (Observation is stored once: create only). */
const writes = (type: string): Array<{ code: 'create' | 'update' }> =>
  WRITABLE[type] ? [{ code: 'create' }, ...(type === 'Observation' ? [] : [{ code: 'update' as const }])] : [];

/** `_include` of the patient on types that refer to one; `_revinclude` of those on Patient. */
function searchExtras(m: ResourceMapping): { searchInclude?: string[]; searchRevInclude?: string[] } {
  const refs = (x: ResourceMapping): string[] =>
    ['patient', 'subject'].filter((p) => x.params[p]?.type === 'reference').map((p) => `${x.fhirType}:${p}`);
  if (m.fhirType === 'Patient') return { searchRevInclude: MAPPINGS.flatMap(refs) };
  const own = refs(m);
  return own.length ? { searchInclude: own } : {};
}

export function capabilityStatement(base: string, date: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    kind: 'instance',
    software: { name: 'clinic-workstation central server' },
    implementation: { description: 'FHIR R4 read and search, decided by the same policy as every screen', url: base },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: false,
          service: [
            { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] },
          ],
          description:
            "A bearer token from the server sign-in (POST /v1/auth/sign-in), or of a registered system client (SMART Backend Services: .well-known/smart-configuration, auth/token; SMART v2 scopes as a ceiling). Every answer is decided by the policy as that user (or the client's service user) and audited.",
        },
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        operation: [{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export' }],
        resource: MAPPINGS.map((m) => ({
          type: m.fhirType,
          interaction: [{ code: 'read' }, { code: 'search-type' }, ...writes(m.fhirType)],
          ...searchExtras(m),
          searchParam: [
            { name: '_id', type: 'token', documentation: 'Resource id' },
            ...Object.entries(m.params).map(([name, p]) => ({ name, type: p.type, documentation: p.documentation })),
            { name: '_count', type: 'number', documentation: 'Page size (default 50, at most 500); `next` links page on' },
            {
              name: '_sort',
              type: 'special',
              documentation: `One key, "-" for descending: ${['_id', ...Object.keys(m.sorts ?? {})].join(', ')}`,
            },
          ],
          ...(m.fhirType === 'Patient'
            ? {
                operation: [
                  {
                    name: 'everything',
                    definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
                    documentation: 'Everything of the patient the caller may read, paged; `_count`, `_type`',
                  },
                ],
              }
            : {}),
        })),
      },
    ],
  };
}
