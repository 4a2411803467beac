/** TEMPORARY placeholder while the view is being built; replaced before commit. */
export function Organizations(_props: { patientId?: string }) { return <div>Organizations</div>; }
