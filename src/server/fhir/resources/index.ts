/** The resource types served at /fhir/R4, in the order the CapabilityStatement lists them. */
import type { ResourceMapping } from '../mapping';
import { allergyMapping } from './allergyIntolerance';
import { documentReferenceMapping } from './documentReference';
import { encounterMapping } from './encounter';
import { flagMapping } from './flag';
import { medicationAdministrationMapping } from './medicationAdministration';
import { medicationRequestMapping } from './medicationRequest';
import { observationMapping } from './observation';
import { patientMapping } from './patient';
import { practitionerMapping } from './practitioner';
import { auditEventMapping } from './auditEvent';
import { careTeamMapping } from './careTeam';
import { consentMapping } from './consent';
import { locationMapping } from './location';
import { organizationMapping } from './organization';
import { practitionerRoleMapping } from './practitionerRole';

export const MAPPINGS: readonly ResourceMapping[] = [
  patientMapping,
  encounterMapping,
  observationMapping,
  allergyMapping,
  flagMapping,
  documentReferenceMapping,
  medicationRequestMapping,
  medicationAdministrationMapping,
  practitionerMapping,
  consentMapping,
  careTeamMapping,
  practitionerRoleMapping,
  locationMapping,
  organizationMapping,
  auditEventMapping,
];

export const mappingFor = (type: string): ResourceMapping | undefined => MAPPINGS.find((m) => m.fhirType === type);
