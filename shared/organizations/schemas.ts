import { z } from "zod";

import { ORG_ROLES } from "../permissions/mod.ts";
import { logoBytes } from "./branding.ts";

export { ORG_ROLES, roleAtLeast } from "../permissions/mod.ts";
export type { OrgRole } from "../permissions/mod.ts";

const timezones = new Set(Intl.supportedValuesOf("timeZone").concat("UTC"));

/** Organization settings; every key optional on update, defaults applied on read. */
export const orgSettingsSchema = z.object({
  timezone: z.string().refine(
    (tz) => timezones.has(tz),
    "must be an IANA time zone, e.g. Europe/Paris",
  ),
  /**
   * Days without a login after which an account is dormant: the organization-wide
   * default of the dormancy window of the dormant-account checks (a check's own
   * parameter override wins over it).
   */
  dormant_account_days: z.number().int().min(30).max(365),
  notification_emails: z.array(z.email().max(254)).max(10),
  /**
   * The framework the organization reports against first (a framework id of
   * the check catalog, e.g. `sox_itgc`; checked against the catalog on update,
   * see {@link createUpdateOrgSchema}), or null.
   */
  default_framework: z.string().max(64).nullable(),
  /** Queue a full analysis of an instance after each of its syncs that succeeds or is partial. */
  analyze_after_sync: z.boolean(),
  /** The logo on report covers and headers: a PNG or JPEG data URL (≤ 256 KiB), or null. */
  report_logo: z.string().max(360_000).refine(
    (url) => logoBytes(url) !== undefined,
    "must be a PNG or JPEG data URL of at most 256 KiB",
  ).nullable(),
  /** Leave "ComplianceIQ" out of generated reports (white label). */
  report_white_label: z.boolean(),
}).strict();

/** Organization settings as stored. */
export type OrgSettings = z.infer<typeof orgSettingsSchema>;

/** Settings an organization starts with. */
export const DEFAULT_ORG_SETTINGS: OrgSettings = {
  timezone: "UTC",
  dormant_account_days: 90,
  notification_emails: [],
  default_framework: null,
  analyze_after_sync: true,
  report_logo: null,
  report_white_label: false,
};

/** Slugs: lowercase letters, digits and single hyphens, 1–48 characters. */
export const slugSchema = z.string().trim().toLowerCase()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/,
    "use 1–48 lowercase letters, digits or hyphens, not starting or ending with a hyphen",
  );

/** Body of `POST /organizations`. */
export const createOrgSchema = z.object({
  name: z.string().trim().min(1, "is required").max(100),
  slug: slugSchema.optional(),
}).strict();

function buildUpdateOrgSchema(frameworkIds: readonly string[]) {
  const known = new Set(frameworkIds);
  const defaultFramework = orgSettingsSchema.shape.default_framework.refine(
    (id) => id === null || known.has(id),
    `must be null or a framework id of the check catalog: ${frameworkIds.join(", ")}`,
  );
  return z.object({
    name: z.string().trim().min(1, "is required").max(100).optional(),
    slug: slugSchema.optional(),
    settings: orgSettingsSchema.extend({ default_framework: defaultFramework }).partial()
      .optional(),
  }).strict().refine((v) => Object.keys(v).length > 0, "send at least one of name, slug, settings");
}

/** The schema of the body of `PATCH /organizations/:orgId`. */
export type UpdateOrgSchema = ReturnType<typeof buildUpdateOrgSchema>;

/**
 * The schema of the body of `PATCH /organizations/:orgId`. The frameworks an
 * organization may choose as its default are passed in (the check catalog's
 * ids), so this module does not depend on the analysis catalog.
 *
 * @param options the framework ids `settings.default_framework` may name (or null)
 * @returns the schema; an unknown framework id fails on `settings.default_framework`
 * @example
 * ```ts
 * const schema = createUpdateOrgSchema({ frameworkIds: ["sox_itgc", "soc2_2017"] });
 * schema.parse({ settings: { default_framework: "soc2_2017" } });
 * ```
 */
export function createUpdateOrgSchema(
  options: { frameworkIds: readonly string[] },
): UpdateOrgSchema {
  return buildUpdateOrgSchema(options.frameworkIds);
}

/** Body of `PATCH /organizations/:orgId/members/:userId`. */
export const changeRoleSchema = z.object({ role: z.enum(ORG_ROLES) }).strict();

/** Query of `GET /organizations/:orgId/members`. */
export const listMembersQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
