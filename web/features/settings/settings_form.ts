import type { OrgDetail, OrgUpdate } from "../../lib/api_types.ts";

/** Frameworks an organization can report against by default. */
export const FRAMEWORKS = [
  { value: "sox_itgc", label: "SOX ITGC" },
  { value: "soc2", label: "SOC 2" },
  { value: "iso27001", label: "ISO 27001" },
  { value: "nist_800_53", label: "NIST 800-53" },
] as const;

/** The settings form's fields, as the user types them. */
export interface SettingsForm {
  name: string;
  slug: string;
  timezone: string;
  dormantAccountDays: string;
  /** One address per line (commas also accepted). */
  notificationEmails: string;
  /** "" for none. */
  defaultFramework: string;
}

/** Field errors, keyed like {@linkcode SettingsForm}. */
export type SettingsErrors = Partial<Record<keyof SettingsForm, string>>;

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The form's starting values for an organization.
 *
 * @param org the organization as loaded
 */
export function formFromOrg(org: OrgDetail): SettingsForm {
  return {
    name: org.name,
    slug: org.slug,
    timezone: org.settings.timezone,
    dormantAccountDays: `${org.settings.dormant_account_days}`,
    notificationEmails: org.settings.notification_emails.join("\n"),
    defaultFramework: org.settings.default_framework ?? "",
  };
}

/**
 * Splits the notification emails field into addresses (by line, comma or space).
 *
 * @param text what the user typed
 */
export function parseEmails(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((e) => e.trim().toLowerCase()).filter(Boolean))];
}

/**
 * Checks the form with the API's rules (so most mistakes are caught before a round trip).
 *
 * @param form the values
 * @param timezones valid IANA zones
 */
export function validateSettings(
  form: SettingsForm,
  timezones: ReadonlySet<string>,
): SettingsErrors {
  const errors: SettingsErrors = {};
  if (!form.name.trim()) errors.name = "Enter the organization's name.";
  else if (form.name.trim().length > 100) errors.name = "Use at most 100 characters.";
  if (!SLUG.test(form.slug.trim())) {
    errors.slug =
      "Use 1–48 lowercase letters, digits or hyphens, not starting or ending with a hyphen.";
  }
  if (!timezones.has(form.timezone)) errors.timezone = "Choose a time zone from the list.";
  const days = Number(form.dormantAccountDays);
  if (!Number.isInteger(days) || days < 30 || days > 365) {
    errors.dormantAccountDays = "Enter a whole number of days between 30 and 365.";
  }
  const emails = parseEmails(form.notificationEmails);
  const invalid = emails.filter((email) => !EMAIL.test(email) || email.length > 254);
  if (invalid.length > 0) {
    errors.notificationEmails = `Not a valid email address: ${invalid.join(", ")}.`;
  } else if (emails.length > 10) errors.notificationEmails = "Add at most 10 addresses.";
  return errors;
}

/**
 * The PATCH body for what changed between `org` and `form` (empty when nothing did).
 *
 * @param org the organization as loaded
 * @param form the validated form
 */
export function settingsPatch(org: OrgDetail, form: SettingsForm): OrgUpdate {
  const patch: OrgUpdate = {};
  if (form.name.trim() !== org.name) patch.name = form.name.trim();
  if (form.slug.trim() !== org.slug) patch.slug = form.slug.trim();
  const settings: NonNullable<OrgUpdate["settings"]> = {};
  if (form.timezone !== org.settings.timezone) settings.timezone = form.timezone;
  const days = Number(form.dormantAccountDays);
  if (days !== org.settings.dormant_account_days) settings.dormant_account_days = days;
  const emails = parseEmails(form.notificationEmails);
  if (emails.join("\n") !== org.settings.notification_emails.join("\n")) {
    settings.notification_emails = emails;
  }
  const framework = form.defaultFramework || null;
  if (framework !== org.settings.default_framework) settings.default_framework = framework;
  if (Object.keys(settings).length > 0) patch.settings = settings;
  return patch;
}
