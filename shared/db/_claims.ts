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

/**
 * Claims of a request made with an organization API key: a principal of its own,
 * not a user (`sub` is null). Policies admit them through the `private` helpers
 * for exactly the key's organization and role while the key is live. Built only
 * by server code after the key verified (see `shared/api_keys`).
 */
export interface ApiKeyClaims {
  sub: null;
  role: "authenticated";
  ciq_actor: "api_key";
  ciq_api_key: string;
  ciq_org_id: string;
  [claim: string]: unknown;
}

/** Claims a tenant transaction can run under. */
export type TenantClaims = JwtClaims | WorkerClaims | ApiKeyClaims;

/** Claims a request's handler runs under: a signed-in user's, or an API key's. */
export type RequestClaims = JwtClaims | ApiKeyClaims;

/**
 * Builds the claims a request made with an API key runs under.
 *
 * @param keyId the key's id
 * @param orgId the key's organization
 */
export function apiKeyClaims(keyId: string, orgId: string): ApiKeyClaims {
  return {
    sub: null,
    role: "authenticated",
    ciq_actor: "api_key",
    ciq_api_key: keyId,
    ciq_org_id: orgId,
  };
}

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
