/**
 * FHIR errors as OperationOutcome resources (issue 22). The services' error kinds map onto HTTP statuses
 * and FHIR issue types; the diagnostics sentence is the same a person at the other system can act on.
 */
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { ErrorKind } from '../../domain/errors';

export const FHIR_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  locked: 423,
  rate_limited: 429,
  internal: 500,
};

const ISSUE_CODE: Record<
  ErrorKind,
  'invalid' | 'login' | 'forbidden' | 'not-found' | 'conflict' | 'lock-error' | 'throttled' | 'exception'
> = {
  invalid: 'invalid',
  unauthenticated: 'login',
  forbidden: 'forbidden',
  not_found: 'not-found',
  conflict: 'conflict',
  locked: 'lock-error',
  rate_limited: 'throttled',
  internal: 'exception',
};

export function operationOutcome(kind: ErrorKind, message: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: kind === 'internal' ? 'fatal' : 'error', code: ISSUE_CODE[kind], diagnostics: message }],
  };
}
