import type postgres from "postgres";

/** Any postgres.js query function: the pool or an open transaction. */
export type Query = postgres.ISql;

type Json = Record<string, unknown>;

/** A row of `auth.users`, the columns this server reads. */
export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  confirmation_token: string | null;
  confirmation_sent_at: Date | null;
  recovery_token: string | null;
  recovery_sent_at: Date | null;
  email_change_token_new: string | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Json | null;
  raw_user_meta_data: Json | null;
  created_at: Date | null;
  updated_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  phone_change: string | null;
  phone_change_sent_at: Date | null;
  confirmed_at: Date | null;
  email_change_token_current: string | null;
  email_change_confirm_status: number | null;
  banned_until: Date | null;
  reauthentication_sent_at: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
}

/** A row of `auth.identities`. */
export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Json;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  email: string | null;
}

/** The kinds of row in `auth.one_time_tokens`. */
export type OneTimeTokenType =
  | "confirmation_token"
  | "recovery_token"
  | "email_change_token_new"
  | "email_change_token_current";

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

/**
 * Serialises a user exactly as GoTrue's `models.User` (supabase/auth, `internal/models/user.go`): the
 * same keys in the same order, `omitempty` keys left out when empty.
 *
 * @param user the `auth.users` row
 * @param identities the user's identities
 */
export function userJson(user: UserRow, identities: IdentityRow[]): Json {
  const out: Json = {
    id: user.id,
    aud: user.aud ?? "",
    role: user.role ?? "",
    email: user.email ?? "",
    email_confirmed_at: iso(user.email_confirmed_at),
    invited_at: iso(user.invited_at),
    phone: user.phone ?? "",
    phone_confirmed_at: iso(user.phone_confirmed_at),
    confirmation_sent_at: iso(user.confirmation_sent_at),
    confirmed_at: iso(user.confirmed_at),
    recovery_sent_at: iso(user.recovery_sent_at),
    new_email: user.email_change || undefined,
    email_change_sent_at: iso(user.email_change_sent_at),
    new_phone: user.phone_change || undefined,
    phone_change_sent_at: iso(user.phone_change_sent_at),
    reauthentication_sent_at: iso(user.reauthentication_sent_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: identities.map(identityJson),
    created_at: iso(user.created_at) ?? new Date(0).toISOString(),
    updated_at: iso(user.updated_at) ?? new Date(0).toISOString(),
    banned_until: iso(user.banned_until),
    deleted_at: iso(user.deleted_at),
    is_anonymous: user.is_anonymous,
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

/** Serialises an identity as GoTrue's `models.Identity`. */
export function identityJson(identity: IdentityRow): Json {
  const out: Json = {
    identity_id: identity.id,
    id: identity.provider_id,
    user_id: identity.user_id,
    identity_data: identity.identity_data,
    provider: identity.provider,
    last_sign_in_at: iso(identity.last_sign_in_at),
    created_at: iso(identity.created_at) ?? new Date(0).toISOString(),
    updated_at: iso(identity.updated_at) ?? new Date(0).toISOString(),
    email: identity.email || undefined,
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

/** Finds a user by id. */
export async function findUserById(q: Query, id: string): Promise<UserRow | undefined> {
  const [row] = await q<UserRow[]>`select * from auth.users where id = ${id}`;
  return row;
}

/** Finds a user by id and locks the row for the rest of the transaction. */
export async function lockUser(q: Query, id: string): Promise<UserRow | undefined> {
  const [row] = await q<UserRow[]>`select * from auth.users where id = ${id} for update`;
  return row;
}

/** Finds a non-SSO user of audience `authenticated` by email, case-insensitively. */
export async function findUserByEmail(q: Query, email: string): Promise<UserRow | undefined> {
  const [row] = await q<UserRow[]>`
    select * from auth.users
    where lower(email) = lower(${email}) and aud = 'authenticated' and is_sso_user = false
    order by created_at limit 1`;
  return row;
}

/** The identities of a user, oldest first. */
export function listIdentities(q: Query, userId: string): Promise<IdentityRow[]> {
  return q<IdentityRow[]>`
    select * from auth.identities where user_id = ${userId} order by created_at, id`;
}

/**
 * GoTrue's `UpdateUserMetaData`: merges `updates` into `raw_user_meta_data`;
 * a null value removes its key.
 */
export function mergeMetadata(current: Json | null, updates: Json): Json {
  const out: Json = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(updates)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

/**
 * Replaces the user's one-time token of `type` (GoTrue keeps at most one per
 * user and type), stamping it with `now`.
 */
export async function putOneTimeToken(
  q: Query,
  params: { userId: string; type: OneTimeTokenType; hash: string; relatesTo: string; now: Date },
): Promise<void> {
  const stamp = utcWallTime(params.now);
  await q`delete from auth.one_time_tokens where user_id = ${params.userId} and token_type = ${params.type}`;
  await q`
    insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
    values (${crypto.randomUUID()}, ${params.userId}, ${params.type}, ${params.hash},
            ${params.relatesTo}, ${stamp}::timestamp, ${stamp}::timestamp)`;
}

/** Deletes some or all of a user's one-time tokens. */
export async function clearOneTimeTokens(
  q: Query,
  userId: string,
  types?: OneTimeTokenType[],
): Promise<void> {
  if (types) {
    await q`delete from auth.one_time_tokens where user_id = ${userId} and token_type in ${
      q(types)
    }`;
  } else {
    await q`delete from auth.one_time_tokens where user_id = ${userId}`;
  }
}

/** A user found through one of their one-time tokens. */
export type UserWithToken = UserRow & { token_type: OneTimeTokenType; relates_to: string };

/**
 * The users holding a one-time token with this hash (GoTrue stores PKCE tokens
 * with a `pkce_` prefix, so both forms are tried), locking the user rows.
 */
export function findByTokenHash(
  q: Query,
  hash: string,
  types: OneTimeTokenType[],
): Promise<UserWithToken[]> {
  const hashes = hash.startsWith("pkce_") ? [hash] : [hash, `pkce_${hash}`];
  return q<UserWithToken[]>`
    select u.*, t.token_type::text as token_type, t.relates_to
    from auth.one_time_tokens t join auth.users u on u.id = t.user_id
    where t.token_hash in ${q(hashes)} and t.token_type::text in ${q(types)}
    order by t.created_at desc
    for update of u`;
}

/**
 * Appends to `auth.audit_log_entries` with GoTrue's payload shape.
 *
 * @param q the open transaction
 * @param entry who did what, and when
 */
export async function audit(
  q: Query,
  entry: {
    user: Pick<UserRow, "id" | "email" | "raw_user_meta_data">;
    action: string;
    logType: "account" | "team" | "token" | "user";
    now: Date;
    ip: string | null;
    traits?: Json;
  },
): Promise<void> {
  const payload: Json = {
    actor_id: entry.user.id,
    actor_username: entry.user.email ?? "",
    actor_via_sso: false,
    action: entry.action,
    log_type: entry.logType,
  };
  const name = entry.user.raw_user_meta_data?.full_name;
  if (typeof name === "string" && name) payload.actor_name = name;
  if (entry.traits) payload.traits = entry.traits;
  await q`
    insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address)
    values ('00000000-0000-0000-0000-000000000000', ${crypto.randomUUID()},
            ${q.json(payload as postgres.JSONValue)}, ${entry.now}, ${entry.ip ?? ""})`;
}

/**
 * The UTC wall-clock text GoTrue writes into its `timestamp without time zone`
 * columns (`one_time_tokens`, `sessions.refreshed_at`).
 */
export function utcWallTime(d: Date): string {
  return d.toISOString().replace("T", " ").replace("Z", "");
}
