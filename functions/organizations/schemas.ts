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
