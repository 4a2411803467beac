/** TEMPORARY placeholder while the view is being built; replaced before commit. */
export function Chart(_props: { patientId?: string }) { return <div>Chart</div>; }
