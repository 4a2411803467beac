/** TEMPORARY placeholder while the view is being built; replaced before commit. */
export function Registration(_props: { patientId?: string }) { return <div>Registration</div>; }
