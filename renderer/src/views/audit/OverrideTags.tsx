/** SPEC §3a in the break-glass review: what an emergency access overrode when it began. */
import type { BreakGlassOverride } from '../../../../src/domain/roles';
import { Tag } from '../../components/ui';

const TEXT: Record<BreakGlassOverride, string> = {
  consent_restriction: 'Consent restriction',
  restricted: 'Restricted patient',
};

export function OverrideTags({ overrides }: { overrides: BreakGlassOverride[] }) {
  if (overrides.length === 0) return <span className="muted">—</span>;
  return (
    <>
      {overrides.map((o) => (
        <Tag key={o} tone="danger">
          {TEXT[o]}
        </Tag>
      ))}
    </>
  );
}
