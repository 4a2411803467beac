/**
 * What each FHIR resource type is in this product: the policy's type that decides who reads it, the
 * table (and joins) it is read from, its search parameters as SQL conditions, and the mapping of a row
 * to the resource. One file per type in resources/ holds one of these.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Actor } from '../../authz/actor';
import type { AuthzEngine } from '../../authz/engine';
import type { ResourceType } from '../../domain/refs';
import type { Sql } from '../../store/sql';

/** A row as read: its table's columns and the joined display columns (each mapping knows its own shape). */
export type Row = { id: string } & Record<string, unknown>;

/** Rows of patient-owned types carry their patient's `restricted` (0/1). */
export type WithRestricted<T> = T & { patient_restricted: number | boolean | null };

export interface MapContext {
  engine: AuthzEngine;
  actor: Actor;
  /** The site's zone (a child's age for NEWS2 counts the birthday on the ward's date); UTC when absent. */
  timeZone?: string | undefined;
}

/**
 * Resources of the type that are computed, not stored (the NEWS2 score Observations): their own
 * parameters over their own alias, one statement with the policy's filter inside, and merged by search.ts
 * into the type's answers in the same order and keyset paging.
 */
export interface DerivedSource {
  /** Its parameters, sort keys (same names as the type's) and `key`; `toFhir` may leave a row out (not computable). */
  mapping: ResourceMapping;
  /** Whether an id is one of its resources. */
  owns(id: string): boolean;
  select(
    engine: AuthzEngine,
    actor: Actor,
    opts: { shape: 'list' | 'row'; where: Sql; inner?: Sql; orderBy: string; limit?: number; columns?: string },
  ): Promise<Row[]>;
  /**
   * `inner` conditions (over the stored rows, alias `m`, before they are grouped) that pin where to look:
   * "of these patients", and what a query's `patient`, `subject` and `_id` pin. The same conditions hold
   * outside too (the mapping's own parameters); inside they let the index find the few rows.
   */
  ofPatients(ids: string[]): Sql;
  pinned(query: Record<string, string | string[] | undefined>): Sql;
}

export interface SearchParam {
  type: 'token' | 'date' | 'string' | 'reference';
  /** For the CapabilityStatement. */
  documentation: string;
  /** Modifiers accepted besides none (`exact`, `contains` for strings). */
  modifiers?: readonly string[];
  /**
   * The condition of one occurrence of the parameter: its comma-separated values are alternatives (OR);
   * several occurrences must all hold (AND).
   */
  condition(values: string[], modifier: string | undefined): Sql;
}

export interface ResourceMapping {
  fhirType: Resource['resourceType'];
  /** The policy's type: `read` on it decides what a search returns and a read answers. */
  authz: ResourceType;
  /**
   * The action on `authz` that decides (default `read`). Consent is decided as the chart shows consent
   * restrictions: to those who may `update` the patient.
   */
  action?: string;
  /**
   * The resource's id column when the rows are not the policy type's own (default `m.id`): Location,
   * CareTeam, PractitionerRole and Consent are rows joined to the organization, user or patient whose
   * policy decision covers them (alias `m` stays the decided row).
   */
  key?: string;
  /** The audit log's type for a read (default the policy's type): `Location:ID`, not `Organization:ID`. */
  auditType?: string;
  /** SQL giving the organization of one resource by its id, for the audit event of a read (default: by the table). */
  ownerSql?: string;
  /** `_sort` keys this type takes, each an ISO-text or text column that is never null. */
  sorts?: Record<string, string>;
  /** Columns over alias `m` and the joins they need (display columns, the patient's `restricted`). */
  columns?: string;
  joins?: string;
  /** A fixed condition of the type (Practitioner: staff users, not patient accounts), ANDed like the search's. */
  where?: string;
  params: Record<string, SearchParam>;
  /** Computed resources of the same type, answered with the stored ones (Observation: the NEWS2 scores). */
  derived?: DerivedSource;
  /** Rows to resources, all at once (masked fields are decided for the whole page in one query). */
  toFhir(rows: Row[], ctx: MapContext): Promise<Resource[]>;
}

/** Rows of patient-owned types also carry their patient's `restricted` (confidentiality R). */
export const PATIENT_JOIN = 'JOIN patients pt ON pt.id = m.patient_id';
export const PATIENT_COLUMNS = 'm.*, pt.restricted AS patient_restricted';
