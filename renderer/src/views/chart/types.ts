/** Shapes the chart views work with: exactly what main answers (types only, from the IPC contract). */
import type { Response } from '../../api';

export type ChartData = Response<'chart.open'>;
export type ChartPatient = ChartData['patient'];
export type ChartAppointment = ChartData['appointments'][number];
export type ChartRecord = ChartData['records'][number];
export type ChartAlert = ChartData['alerts'][number];
export type ChartObservation = ChartData['observations'][number];
export type DayItem = Response<'clinician.day'>[number];

/** Open and still to act on: an alert left open when the stay was closed (final discharge) is not. */
export const alertIsOpen = (a: Pick<ChartAlert, 'status' | 'closed_at_discharge'>): boolean =>
  a.status === 'open' && !a.closed_at_discharge;
