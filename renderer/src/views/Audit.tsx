/** TEMPORARY placeholder while the view is being built; replaced before commit. */
export function Audit(_props: { patientId?: string }) { return <div>Audit</div>; }
