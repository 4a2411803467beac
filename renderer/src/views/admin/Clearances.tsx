/**
 * SPEC §3a clearances on a role assignment: `restricted` (confidentiality R patients) and the
 * sensitivity labels. Chosen when assigning a role, shown with each assignment.
 */
import { useId } from 'react';
import type { Clearance } from '../../../../src/domain/roles';
import { SENSITIVITY } from '../../components/Sensitivity';
import { Tag } from '../../components/ui';

export const CLEARANCE_OPTIONS: ReadonlyArray<{ value: Clearance; label: string }> = [
  { value: 'restricted', label: 'Restricted patients' },
  ...SENSITIVITY.map((s) => ({ value: s.value, label: s.label })),
];

export function clearancesOf(a: { clearances: string }): string[] {
  try {
    const v: unknown = JSON.parse(a.clearances);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

const label = (c: string): string => CLEARANCE_OPTIONS.find((o) => o.value === c)?.label ?? c;

export function ClearanceTags({ clearances }: { clearances: string[] }) {
  if (clearances.length === 0) return null;
  return (
    <div className="clearance-tags" aria-label="Cleared for">
      {clearances.map((c) => (
        <Tag key={c} tone="warning">
          {label(c)}
        </Tag>
      ))}
    </div>
  );
}

export function ClearancePicker({ value, onChange }: { value: Clearance[]; onChange: (v: Clearance[]) => void }) {
  const id = useId();
  const toggle = (c: Clearance, on: boolean): void => onChange(on ? [...value, c] : value.filter((x) => x !== c));
  return (
    <fieldset className="field clearance-picker" aria-describedby={`${id}-hint`}>
      <legend>Cleared for</legend>
      <div className="checkbox-row">
        {CLEARANCE_OPTIONS.map((o) => (
          <label key={o.value} className="checkbox">
            <input type="checkbox" checked={value.includes(o.value)} onChange={(e) => toggle(o.value, e.target.checked)} />{' '}
            {o.label}
          </label>
        ))}
      </div>
      <div className="field-hint" id={`${id}-hint`}>
        Only while this role is valid, and only for the patients it covers. Leave empty for none.
      </div>
    </fieldset>
  );
}
