/**
 * Where an outpatient without a room is registered (SPEC §2): that facility's staff cover them. The
 * form offers the organization's facilities and starts at the workstation's own (configured by IT),
 * or the only facility there is. A room, once chosen, decides the facility instead.
 */
import { useEffect } from 'react';
import { Select } from '../../components/ui';
import { useSession } from '../../store/session';
import type { Locations } from '../admin/shared';

export function defaultFacility(locations: Locations | undefined, workstationFacility: string | null | undefined): string {
  const facilities = locations?.facilities ?? [];
  if (workstationFacility && facilities.some((f) => f.id === workstationFacility)) return workstationFacility;
  return facilities.length === 1 ? facilities[0]!.id : '';
}

export function FacilityField({
  locations,
  value,
  onChange,
  error,
}: {
  locations: Locations | undefined;
  value: string;
  onChange: (id: string) => void;
  error?: string | undefined;
}) {
  const workstationFacility = useSession((s) => s.info?.workstation.facility ?? null);
  // Fill in the default once the organization's facilities have loaded.
  useEffect(() => {
    if (!value) {
      const d = defaultFacility(locations, workstationFacility);
      if (d) onChange(d);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [locations, workstationFacility]);
  return (
    <Select
      label="Registered at"
      value={value}
      placeholder={locations ? 'Choose a facility' : 'Loading…'}
      error={error}
      onChange={(e) => onChange(e.target.value)}
      options={(locations?.facilities ?? []).map((f) => ({ value: f.id, label: f.name }))}
      hint="An outpatient without a room is looked after by the staff of this facility."
    />
  );
}
