import type { OrgDetail, OrgUpdate } from "../../lib/api_types.ts";

/** A framework of the check catalog, as `GET /analysis/frameworks` lists it. */
export interface FrameworkChoice {
  id: string;
  name: string;
}

/** One option of the default framework select. */
export interface FrameworkOption {
  value: string;
  label: string;
}

/** The settings form's fields, as the user types them. */
export interface SettingsForm {
  name: string;
  slug: string;
  timezone: string;
  dormantAccountDays: string;
  /** One address per line (commas also accepted). */
  notificationEmails: string;
  /** A framework id of the check catalog; "" for none. */
  defaultFramework: string;
  /** Queue a full analysis after every successful sync. */
  analyzeAfterSync: boolean;
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
    analyzeAfterSync: org.settings.analyze_after_sync,
  };
}

/**
 * The choices of the default framework select: none, then the catalog's
 * frameworks. A saved value the catalog no longer has stays listed (marked),
 * so the select shows what is stored until the user picks another.
 *
 * @param frameworks the catalog's frameworks, or null while they are not loaded
 * @param current the value in the form ("" for none)
 */
export function frameworkOptions(
  frameworks: readonly FrameworkChoice[] | null,
  current: string,
): FrameworkOption[] {
  const options: FrameworkOption[] = [
    { value: "", label: "None (all frameworks alike)" },
    ...(frameworks ?? []).map((f) => ({ value: f.id, label: f.name })),
  ];
  if (current && !options.some((o) => o.value === current)) {
    options.push({
      value: current,
      label: frameworks ? `${current} (not in the check catalog)` : current,
    });
  }
  return options;
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
 * @param options the framework ids the default framework may be ("" is always
 *   allowed); without them the default framework is not checked here
 */
export function validateSettings(
  form: SettingsForm,
  timezones: ReadonlySet<string>,
  options: { frameworks?: ReadonlySet<string> } = {},
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
  if (
    form.defaultFramework && options.frameworks && !options.frameworks.has(form.defaultFramework)
  ) {
    errors.defaultFramework = "Choose a framework from the list.";
  }
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
  if (form.analyzeAfterSync !== org.settings.analyze_after_sync) {
    settings.analyze_after_sync = form.analyzeAfterSync;
  }
  if (Object.keys(settings).length > 0) patch.settings = settings;
  return patch;
}
