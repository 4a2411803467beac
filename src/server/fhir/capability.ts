/** The CapabilityStatement: exactly the types, interactions and search parameters this server answers. */
import type { CapabilityStatement } from '@medplum/fhirtypes';
import { MAPPINGS } from './resources';

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
          description:
            'A bearer token from the server sign-in (POST /v1/auth/sign-in). Every answer is decided by the policy as that user and audited.',
        },
        resource: MAPPINGS.map((m) => ({
          type: m.fhirType,
          interaction: [{ code: 'read' }, { code: 'search-type' }],
          searchParam: [
            { name: '_id', type: 'token', documentation: 'Resource id' },
            ...Object.entries(m.params).map(([name, p]) => ({ name, type: p.type, documentation: p.documentation })),
            { name: '_count', type: 'number', documentation: 'Page size (default 50, at most 500); `next` links page on' },
          ],
        })),
      },
    ],
  };
}
