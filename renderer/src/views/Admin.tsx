/** TEMPORARY placeholder while the view is being built; replaced before commit. */
export function Admin(_props: { patientId?: string }) { return <div>Admin</div>; }
