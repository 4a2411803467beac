/** Benchmark world sizes. L is the hospital of issue 5; M about a tenth of it, S about a hundredth. */
export interface Size {
  name: 'S' | 'M' | 'L';
  facilities: number;
  wards: number;
  roomsPerWard: number;
  staff: number;
  patients: number;
  appointmentsPerPatient: number;
  observations: number;
}

export const SIZES: Record<Size['name'], Size> = {
  L: {
    name: 'L',
    facilities: 4,
    wards: 40,
    roomsPerWard: 40,
    staff: 2000,
    patients: 50_000,
    appointmentsPerPatient: 10,
    observations: 2_000_000,
  },
  M: {
    name: 'M',
    facilities: 4,
    wards: 8,
    roomsPerWard: 20,
    staff: 200,
    patients: 5_000,
    appointmentsPerPatient: 10,
    observations: 200_000,
  },
  S: {
    name: 'S',
    facilities: 4,
    wards: 4,
    roomsPerWard: 4,
    staff: 40,
    patients: 500,
    appointmentsPerPatient: 10,
    observations: 20_000,
  },
};

export const BENCH_NOW = '2026-11-23T10:00:00.000Z';
export const ORG = 'org-bench';
