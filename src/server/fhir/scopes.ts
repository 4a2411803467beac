/**
 * SMART v2 scopes (`patient/`, `user/`, `system/` × `cruds`, e.g. `system/Patient.rs`): a CEILING on
 * what a system client may do. Within it the policy decides as the client's service user; a scope never
 * widens what the policy allows. The context (`patient/`, `user/`, `system/`) does not change the
 * ceiling here: a backend client has no launch context, and what a service user may reach of one
 * patient or of the organization is the policy's to say. Only `$export` asks for `system/`.
 */
import { AppError } from '../../domain/errors';

export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';
const ORDER = 'cruds';

export interface Scope {
  context: 'patient' | 'user' | 'system';
  /** A resource type, or `*`. */
  type: string;
  /** The interactions granted, in `cruds` order. */
  actions: string;
}

const PATTERN = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{1,63})\.([cruds]{1,5})$/;

/** One scope, or null when it is not a SMART v2 resource scope in canonical `cruds` order. */
export function parseScope(text: string): Scope | null {
  const m = PATTERN.exec(text);
  if (!m) return null;
  const actions = m[3]!;
  // SMART v2: letters appear once each, in the order c, r, u, d, s.
  const canonical = [...ORDER].filter((c) => actions.includes(c)).join('');
  if (canonical !== actions) return null;
  return { context: m[1] as Scope['context'], type: m[2]!, actions };
}

/** A space-separated list; anything that is not a scope is refused with what it should look like. */
export function parseScopes(text: string): Scope[] {
  const out: Scope[] = [];
  for (const s of text.split(/\s+/).filter(Boolean)) {
    const scope = parseScope(s);
    if (!scope)
      throw new AppError(
        'invalid',
        `"${s.slice(0, 60)}" is not a SMART v2 scope: write context/Type.actions, e.g. system/Patient.rs (actions from c, r, u, d, s in that order).`,
      );
    out.push(scope);
  }
  return out;
}

export const scopeText = (s: Scope): string => `${s.context}/${s.type}.${s.actions}`;

/** Whether `scope` (of the allowed) covers `wanted`: same context, its type or `*`, every action. */
const covers = (scope: Scope, wanted: Scope): boolean =>
  scope.context === wanted.context &&
  (scope.type === '*' || scope.type === wanted.type) &&
  [...wanted.actions].every((a) => scope.actions.includes(a));

/**
 * The scopes granted for a request: each requested scope narrowed to what the registration allows (a
 * requested `system/*.rs` against an allowed `system/Patient.r` grants `system/Patient.r`). An empty
 * request grants everything allowed.
 */
export function grant(allowed: Scope[], requested: Scope[]): Scope[] {
  if (requested.length === 0) return allowed;
  const out: Scope[] = [];
  for (const want of requested)
    for (const a of allowed) {
      if (a.context !== want.context) continue;
      const type = want.type === '*' ? a.type : a.type === '*' || a.type === want.type ? want.type : null;
      if (type === null) continue;
      const actions = [...ORDER].filter((c) => want.actions.includes(c) && a.actions.includes(c)).join('');
      if (actions === '') continue;
      const s: Scope = { context: want.context, type, actions };
      if (!out.some((o) => covers(o, s))) out.push(s);
    }
  return out;
}

/** Whether any granted scope lets the caller do `interaction` on `type` (in any context, or in the one named). */
export function permits(granted: Scope[], type: string, interaction: Interaction, context?: Scope['context']): boolean {
  return granted.some(
    (s) =>
      (context === undefined || s.context === context) && (s.type === '*' || s.type === type) && s.actions.includes(interaction),
  );
}
