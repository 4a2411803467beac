/** Small pieces shared by the registration, administration, audit and organization views. */
import { useEffect, useState, type ReactNode, type RefObject } from 'react';
import type { Response } from '../../api';
import { Tag } from '../../components/ui';
import { dateTime, humanize, sameDay, time } from '../../format';
import { useSession } from '../../store/session';

export type Locations = Response<'reference.locations'>;
export type AdminUser = Response<'admin.users'>[number];
export type Assignment = AdminUser['assignments'][number];

/** The roles of SPEC §2, with the words an administrator reads. */
export const ROLE_LABELS: Record<string, string> = {
  admin: 'Administrator',
  physician: 'Physician',
  nurse: 'Nurse',
  registration_clerk: 'Registration clerk',
  lab_technician: 'Lab technician',
  auditor: 'Auditor',
};
export const roleLabel = (r: string): string => ROLE_LABELS[r] ?? humanize(r);

export const SCOPE_LEVELS = ['Organization', 'Facility', 'Ward', 'Room'] as const;
export type ScopeLevel = (typeof SCOPE_LEVELS)[number];

/** The user every decision is made as (root viewing as someone acts as that person). */
export function useActingUser() {
  return useSession((s) => s.info?.view_as ?? s.info?.user ?? null);
}

export function useNow(): string {
  return useSession((s) => s.info?.now) ?? new Date().toISOString();
}

/** "Ward · Cardiology" for `Ward` + `ward-card`, using the organization's locations when loaded. */
export function scopeName(type: string, id: string, loc: Locations | undefined): string {
  if (!loc) return id;
  switch (type) {
    case 'Organization':
      return loc.organization.id === id ? loc.organization.name : id;
    case 'Facility':
      return loc.facilities.find((f) => f.id === id)?.name ?? id;
    case 'Ward': {
      const w = loc.wards.find((x) => x.id === id);
      return w ? w.name : id;
    }
    case 'Room': {
      const r = loc.rooms.find((x) => x.id === id);
      const w = r ? loc.wards.find((x) => x.id === r.ward_id) : undefined;
      return r ? `${r.name}${w ? ` (${w.name})` : ''}` : id;
    }
    default:
      return id;
  }
}

export function scopeLabel(type: string, id: string, loc: Locations | undefined): string {
  return `${type} · ${scopeName(type, id, loc)}`;
}

export type Validity = 'active' | 'pending' | 'expired';

export function validity(a: { valid_from: string | null; valid_until: string | null }, now: string): Validity {
  const t = Date.parse(now);
  if (a.valid_from && t < Date.parse(a.valid_from)) return 'pending';
  if (a.valid_until && t >= Date.parse(a.valid_until)) return 'expired';
  return 'active';
}

export function ValidityTag({ v }: { v: Validity }) {
  return v === 'active' ? (
    <Tag tone="success">Active</Tag>
  ) : v === 'pending' ? (
    <Tag tone="info">Not yet active</Tag>
  ) : (
    <Tag>Expired</Tag>
  );
}

export function validRange(a: { valid_from: string | null; valid_until: string | null }): string {
  const { valid_from: from, valid_until: until } = a;
  if (from && until) {
    const f = new Date(from);
    const u = new Date(until);
    return sameDay(f, u) ? `${dateTime(from)}–${time(until)}` : `${dateTime(from)} – ${dateTime(until)}`;
  }
  if (from) return `From ${dateTime(from)}`;
  if (until) return `Until ${dateTime(until)}`;
  return 'Always';
}

export function categoriesOf(a: Assignment): string[] {
  try {
    const v: unknown = JSON.parse(a.categories);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

/** "Nurse · Cardiology, Admin · St. Mary's" (one entry per assignment, inactive ones marked). */
export function rolesSummary(u: AdminUser, loc: Locations | undefined, now: string): string {
  if (u.assignments.length === 0) return u.groups.length ? `Groups: ${u.groups.join(', ')}` : '';
  return u.assignments
    .map((a) => {
      const v = validity(a, now);
      return `${roleLabel(a.role)} · ${scopeName(a.scope_type, a.scope_id, loc)}${v === 'pending' ? ' (later)' : v === 'expired' ? ' (expired)' : ''}`;
    })
    .join(', ');
}

export const appointmentTone = (s: string) =>
  s === 'scheduled'
    ? ('info' as const)
    : s === 'in_progress'
      ? ('warning' as const)
      : s === 'completed'
        ? ('success' as const)
        : ('neutral' as const);

export const patientTone = (s: string) =>
  s === 'admitted'
    ? ('info' as const)
    : s === 'outpatient'
      ? ('neutral' as const)
      : s === 'discharged'
        ? ('warning' as const)
        : ('neutral' as const);

export const decisionTone = (d: string) =>
  d === 'allow' ? ('success' as const) : d === 'not_found' ? ('warning' as const) : ('danger' as const);

/** A row marker the table's `:has()` rule highlights; screen readers hear "selected". */
export function Selected({ on, children }: { on: boolean; children: ReactNode }) {
  return on ? (
    <span className="row-selected">
      <span className="sr-only">Selected: </span>
      {children}
    </span>
  ) : (
    <>{children}</>
  );
}

/** Root viewing as another user sees what they see, read-only: write buttons are not offered. */
export function useReadOnly(): boolean {
  return useSession((s) => Boolean(s.info?.view_as));
}

/** The value, once it has stopped changing for `ms` (search as you type without a request per key). */
export function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Shows a field's message once the user has tried to submit. */
export type Problems<K extends string> = Partial<Record<K, string>>;

/**
 * Keeps the selected row of a virtual table (inside `wrapper`) in view, e.g. a user just created or
 * opened from a link, who may sit far down an alphabetical list.
 */
export function useKeepRowInView(wrapper: RefObject<HTMLElement | null>, index: number, rowHeight = 36): void {
  useEffect(() => {
    if (index < 0) return;
    const body = wrapper.current?.querySelector<HTMLElement>('.vtable-body');
    if (!body) return;
    const top = index * rowHeight;
    if (top < body.scrollTop || top + rowHeight > body.scrollTop + body.clientHeight) {
      body.scrollTop = Math.max(0, top - Math.floor(body.clientHeight / 3));
    }
  }, [wrapper, index, rowHeight]);
}
