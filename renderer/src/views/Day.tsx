/** TEMPORARY placeholder while the view is being built; replaced before commit. */
export function Day(_props: { patientId?: string }) { return <div>Day</div>; }
