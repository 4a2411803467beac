/**
 * SPEC §3a in the UI: the label chip an item carries for those who may see it, and the picker an
 * author uses. The vocabulary mirrors src/domain/roles.ts (the renderer imports only types from src/).
 */
import type { SensitivityLabel } from '../../../src/domain/roles';
import { Select, Tag } from './ui';

export const SENSITIVITY: ReadonlyArray<{ value: SensitivityLabel; label: string; hl7: string }> = [
  { value: 'psychiatry', label: 'Psychiatry', hl7: 'PSY' },
  { value: 'hiv', label: 'HIV', hl7: 'HIV' },
  { value: 'substance_use', label: 'Substance use', hl7: 'ETH' },
  { value: 'sexual_health', label: 'Sexual health', hl7: 'STD' },
  { value: 'genetic', label: 'Genetic', hl7: 'GDIS' },
];

export const sensitivityName = (v: string): string => SENSITIVITY.find((s) => s.value === v)?.label ?? v;

/** Shown on a labelled item; only users cleared for the label ever receive the item. */
export function LabelChip({ label }: { label: string | null | undefined }) {
  if (!label) return null;
  return (
    <span className="label-chip" title={`Sensitive: ${sensitivityName(label)} — only staff cleared for it see this`}>
      <Tag tone="warning">{sensitivityName(label)}</Tag>
    </span>
  );
}

export function LabelPicker({
  value,
  onChange,
  what,
}: {
  value: SensitivityLabel | null;
  onChange: (v: SensitivityLabel | null) => void;
  what: string;
}) {
  return (
    <Select
      label="Sensitivity"
      value={value ?? ''}
      placeholder="Not sensitive"
      onChange={(e) => onChange((e.target.value || null) as SensitivityLabel | null)}
      options={SENSITIVITY.map((s) => ({ value: s.value, label: s.label }))}
      hint={
        value
          ? `Only staff cleared for ${sensitivityName(value)} on this patient will see this ${what}; others will not know it exists.`
          : `Label the ${what} if it needs a clearance to read.`
      }
    />
  );
}
