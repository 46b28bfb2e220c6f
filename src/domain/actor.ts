/**
 * Who changed something and how, recorded with every acknowledgement, resolution, escalation,
 * silence and relabel. `via`: `link` (a signed ack link from a notification), `dashboard` (a logged-in
 * session), `api` (a bearer token; `by` is the token's name), `system` (the alerting engine).
 */
export const ACTOR_VIAS = ['link', 'dashboard', 'api', 'system'] as const;
export type ActorVia = (typeof ACTOR_VIAS)[number];

export interface Actor {
  readonly by: string;
  readonly via: ActorVia;
}

/** The alerting engine itself (automatic resolution, escalation, natural silence expiry). */
export const SYSTEM_ACTOR: Actor = { by: 'system', via: 'system' };
