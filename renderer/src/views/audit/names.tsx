/** How the audit log and the report show who and what: names from main, the recorded id on hover. */
interface Named {
  actor: string;
  on_behalf_of: string | null;
  resource: string;
  actor_name?: string | null | undefined;
  on_behalf_of_name?: string | null | undefined;
  resource_label?: string | null | undefined;
}

export function Actor({ e }: { e: Named }) {
  return <span title={e.actor}>{e.actor_name ?? e.actor}</span>;
}

export function OnBehalfOf({ e }: { e: Named }) {
  if (!e.on_behalf_of) return <span className="muted">—</span>;
  return <span title={e.on_behalf_of}>{e.on_behalf_of_name ?? e.on_behalf_of}</span>;
}

/** "Patient · Alice Patient (STM-100001)" where main could name it; the recorded reference otherwise. */
export function Resource({ e }: { e: Named }) {
  return e.resource_label ? (
    <span title={e.resource}>{e.resource_label}</span>
  ) : (
    <span className="mono" title={e.resource}>
      {e.resource}
    </span>
  );
}
