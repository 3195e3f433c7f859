/**
 * Each member's notification preferences: per rule event, in-app and/or email
 * to their own address; email at once or in a daily or weekly digest; and an
 * "unsubscribe from every email" switch the unsubscribe link sets. A member
 * reads and changes only their own (row-level security and `auth.uid()`).
 *
 * @module
 */
import { z } from "zod";
import type { Tx } from "../db/mod.ts";
import { requirePermission } from "../organizations/mod.ts";
import { RULE_EVENTS, type RuleEvent } from "./schemas.ts";

const eventChoice = z.object({ in_app: z.boolean(), email: z.boolean() }).strict();
/** Where one event reaches the member. */
export type EventChoice = z.infer<typeof eventChoice>;

/** What is used for an event the member never chose for: in-app only. */
export const DEFAULT_CHOICE: EventChoice = { in_app: true, email: false };

/** A member's preferences, every event filled in. */
export const preferencesSchema = z.object({
  events: z.record(z.enum(RULE_EVENTS), eventChoice),
  digest: z.enum(["off", "daily", "weekly"]),
  email_off: z.boolean(),
});
export type Preferences = z.infer<typeof preferencesSchema>;

/** `PUT /:orgId/preferences`: any of the fields; events not named keep their choice. */
export const updatePreferencesSchema = z.object({
  events: z.partialRecord(z.enum(RULE_EVENTS), eventChoice).optional(),
  digest: z.enum(["off", "daily", "weekly"]).optional(),
  email_off: z.boolean().optional(),
}).strict();
export type UpdatePreferencesInput = z.infer<typeof updatePreferencesSchema>;

interface Row {
  events: Partial<Record<RuleEvent, EventChoice>>;
  digest: Preferences["digest"];
  email_off: boolean;
}

/** Fills in the defaults for events the member never chose for. */
export function withDefaults(row: Row | undefined): Preferences {
  const events = Object.fromEntries(
    RULE_EVENTS.map((e) => [e, row?.events[e] ?? DEFAULT_CHOICE]),
  ) as Record<RuleEvent, EventChoice>;
  return { events, digest: row?.digest ?? "off", email_off: row?.email_off ?? false };
}

/** The caller's preferences in the organization. */
export async function getPreferences(tx: Tx, orgId: string): Promise<Preferences> {
  await requirePermission(tx, orgId, "notifications.read");
  const [row] = await tx<Row[]>`
    select events, digest, email_off from public.notification_preferences
    where org_id = ${orgId} and user_id = (select auth.uid())`;
  return withDefaults(row);
}

/** Changes the caller's preferences; returns them as they now are. */
export async function updatePreferences(
  tx: Tx,
  orgId: string,
  input: UpdatePreferencesInput,
): Promise<Preferences> {
  const current = await getPreferences(tx, orgId);
  const next: Preferences = {
    events: { ...current.events, ...input.events },
    digest: input.digest ?? current.digest,
    email_off: input.email_off ?? current.email_off,
  };
  await tx`
    insert into public.notification_preferences (org_id, user_id, events, digest, email_off)
    values (${orgId}, (select auth.uid()), ${tx.json(next.events)}, ${next.digest},
            ${next.email_off})
    on conflict (org_id, user_id) do update set
      events = excluded.events, digest = excluded.digest, email_off = excluded.email_off,
      updated_at = now()`;
  return next;
}
