// Response schemas of the organizations function (the wire format).
import { z } from "zod";
import { INVITABLE_ROLES, ORG_ROLES, orgSettingsSchema } from "../../shared/organizations/mod.ts";

const timestamp = z.iso.datetime({ offset: true });

/** One line of the caller's organizations. */
export const organizationSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  plan: z.enum(["trial", "basic", "professional", "enterprise"]),
  subscription_status: z.string(),
  role: z.enum(ORG_ROLES),
  created_at: timestamp,
}).strict();

/** An organization as a member sees it, with the caller's role. */
export const organizationSchema = organizationSummarySchema.extend({
  max_instances: z.number().int(),
  max_users: z.number().int(),
  settings: orgSettingsSchema,
  updated_at: timestamp,
}).strict();

/** A member of an organization. */
export const memberSchema = z.object({
  user_id: z.uuid(),
  email: z.string(),
  display_name: z.string(),
  role: z.enum(ORG_ROLES),
  joined_at: timestamp,
}).strict();

/** An invitation as admins see it. */
export const invitationSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(INVITABLE_ROLES),
  status: z.enum(["pending", "expired", "accepted", "revoked"]),
  expires_at: timestamp,
  sent_at: timestamp,
  send_count: z.number().int(),
  invited_by_email: z.string().nullable(),
  created_at: timestamp,
  accepted_at: timestamp.nullable(),
  revoked_at: timestamp.nullable(),
}).strict();

/** What the holder of an invitation link sees. */
export const invitationPreviewSchema = z.object({
  organization_name: z.string(),
  email: z.string(),
  role: z.enum(INVITABLE_ROLES),
  status: z.enum(["pending", "expired", "accepted"]),
  expires_at: timestamp,
  invited_by: z.string(),
}).strict();

/** The organization joined by accepting an invitation. */
export const invitationAcceptanceSchema = z.object({
  org_id: z.uuid(),
  role: z.enum(INVITABLE_ROLES),
}).strict();

/** An open offer of ownership. */
export const ownershipOfferSchema = z.object({
  from_user_id: z.uuid(),
  from_email: z.string(),
  to_user_id: z.uuid(),
  to_email: z.string(),
  created_at: timestamp,
  expires_at: timestamp,
}).strict();

/** An API key as its organization's admins see it (never the secret or its hash). */
export const apiKeySchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  name: z.string(),
  role: z.enum(["viewer", "analyst"]),
  prefix: z.string().regex(/^ciq_live_[0-9a-f]{32}$/),
  status: z.enum(["active", "expired", "revoked"]),
  created_by: z.object({ id: z.uuid(), email: z.string().nullable() }).strict().nullable(),
  created_at: timestamp,
  expires_at: timestamp.nullable(),
  revoked_at: timestamp.nullable(),
  last_used_at: timestamp.nullable(),
  last_used_address: z.string().nullable(),
  calls_today: z.number().int().min(0),
}).strict();

/** A key just created: the whole key, shown this once. */
export const createdApiKeySchema = z.object({
  key: z.string().regex(/^ciq_live_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/),
  api_key: apiKeySchema,
}).strict();
