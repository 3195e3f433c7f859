/** JWT claims forwarded to Postgres as `request.jwt.claims`, the way PostgREST does. */
export interface JwtClaims {
  sub: string;
  role: "authenticated";
  email?: string;
  aud?: string | string[];
  session_id?: string;
  [claim: string]: unknown;
}

/**
 * Claims for background work acting for one organization. Policies accept them
 * through `private.member_org_ids()`. They are built only by server code: claims
 * taken from a verified user token have every `ciq_` key removed first.
 */
export interface WorkerClaims {
  sub: null;
  role: "authenticated";
  ciq_actor: "worker";
  ciq_org_id: string;
  ciq_actor_user_id: string | null;
  [claim: string]: unknown;
}

/** Claims a tenant transaction can run under. */
export type TenantClaims = JwtClaims | WorkerClaims;

/**
 * Builds the claims background work runs under when it acts for `orgId`.
 *
 * @param orgId organization the work acts for
 * @param actorUserId user who started the work, kept for the record only
 */
export function workerClaims(orgId: string, actorUserId: string | null = null): WorkerClaims {
  return {
    sub: null,
    role: "authenticated",
    ciq_actor: "worker",
    ciq_org_id: orgId,
    ciq_actor_user_id: actorUserId,
  };
}
