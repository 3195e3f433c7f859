/**
 * Unsubscribe links that work without signing in. A link carries a JWT
 * (HS256, `jose`) naming the member (`sub`), the organization (`org`) and the
 * event or `all` (`ev`), signed with a key kept in the member's preferences row
 * for that organization — a key that never leaves the database except to sign
 * and verify. A token cannot be forged without that key, and cannot be used
 * for another member or organization: the key is looked up by the token's own
 * `sub` and `org`, so a changed claim fails verification.
 *
 * @module
 */
import { decodeJwt, jwtVerify, SignJWT } from "jose";
import type { Database, Tx } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import { RULE_EVENTS, type RuleEvent } from "./schemas.ts";

const AUDIENCE = "ciq-unsubscribe";
/** Links in old emails keep working this long. */
const TOKEN_DAYS = 180;

/** What a verified token unsubscribes from. */
export interface Unsubscribe {
  userId: string;
  orgId: string;
  /** One event's emails, or every email of the organization. */
  event: RuleEvent | "all";
}

const invalidLink = () =>
  new HttpError(404, "This unsubscribe link is not valid (it may be mistyped or too old)", {
    code: "invalid_unsubscribe_link",
  });

/** The member's unsubscribe key, created with their preferences row when missing (engine tx). */
async function keyFor(tx: Tx, orgId: string, userId: string): Promise<Uint8Array> {
  const [row] = await tx<{ unsubscribe_key: string }[]>`
    insert into public.notification_preferences (org_id, user_id) values (${orgId}, ${userId})
    on conflict (org_id, user_id) do update set updated_at = public.notification_preferences.updated_at
    returning unsubscribe_key`;
  return new TextEncoder().encode(row!.unsubscribe_key);
}

/**
 * A signed unsubscribe token for a member (in an engine transaction for the organization).
 *
 * @param event the event the email is about, or `all`
 */
export async function signUnsubscribeToken(
  tx: Tx,
  orgId: string,
  userId: string,
  event: RuleEvent | "all",
): Promise<string> {
  const key = await keyFor(tx, orgId, userId);
  return await new SignJWT({ org: orgId, ev: event })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${TOKEN_DAYS}d`)
    .sign(key);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Verifies a token; every bad one (malformed, forged, expired, other key) is the same 404. */
export async function verifyUnsubscribeToken(db: Database, token: string): Promise<Unsubscribe> {
  let claims: { sub?: unknown; org?: unknown; ev?: unknown };
  try {
    claims = decodeJwt(token);
  } catch {
    throw invalidLink();
  }
  const { sub, org, ev } = claims;
  if (typeof sub !== "string" || typeof org !== "string" || !UUID.test(sub) || !UUID.test(org)) {
    throw invalidLink();
  }
  if (ev !== "all" && !RULE_EVENTS.includes(ev as RuleEvent)) throw invalidLink();
  const [row] = await db.asService((tx) =>
    tx<{ unsubscribe_key: string }[]>`
      select unsubscribe_key from public.notification_preferences
      where org_id = ${org} and user_id = ${sub}`
  );
  if (!row) throw invalidLink();
  try {
    await jwtVerify(token, new TextEncoder().encode(row.unsubscribe_key), {
      audience: AUDIENCE,
      algorithms: ["HS256"],
      subject: sub,
    });
  } catch {
    throw invalidLink();
  }
  return { userId: sub, orgId: org, event: ev as RuleEvent | "all" };
}

/** Turns the emails the token names off. Repeating it changes nothing. */
export async function applyUnsubscribe(db: Database, u: Unsubscribe): Promise<void> {
  await db.asService((tx) =>
    u.event === "all"
      ? tx`update public.notification_preferences set email_off = true, updated_at = now()
           where org_id = ${u.orgId} and user_id = ${u.userId}`
      : tx`update public.notification_preferences
           set events = jsonb_set(events, ${[u.event]}::text[],
                                  coalesce(events -> ${u.event}, '{"in_app": true}'::jsonb)
                                    || '{"email": false}'::jsonb),
               updated_at = now()
           where org_id = ${u.orgId} and user_id = ${u.userId}`
  );
}
