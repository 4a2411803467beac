/** TEMPORARY placeholder while the view is being built; replaced before commit. */
export function BreakGlass(_props: { patientId?: string }) { return <div>BreakGlass</div>; }
