// Response schemas of the organizations function (the wire format).
import { z } from "zod";
import { ORG_ROLES, orgSettingsSchema } from "../../shared/organizations/mod.ts";

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

/** The answer to adding a member: the same for known and unknown addresses. */
export const memberAdditionSchema = z.object({
  email: z.string(),
  role: z.enum(ORG_ROLES),
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
