import assert from "node:assert/strict";
import type { OrgDetail } from "../../lib/api_types.ts";
import { formFromOrg, parseEmails, settingsPatch, validateSettings } from "./settings_form.ts";

const ORG: OrgDetail = {
  id: "o1",
  name: "Acme",
  slug: "acme",
  plan: "trial",
  subscription_status: "active",
  role: "owner",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  max_instances: 1,
  max_users: 5,
  settings: {
    timezone: "UTC",
    dormant_account_days: 90,
    notification_emails: [],
    default_framework: null,
  },
};
const ZONES = new Set(["UTC", "Europe/Paris"]);

Deno.test("validateSettings() applies the API's rules with messages per field", () => {
  const form = {
    ...formFromOrg(ORG),
    name: " ",
    slug: "-bad-",
    timezone: "Mars/Olympus",
    dormantAccountDays: "12",
    notificationEmails: "ok@acme.test\nnot-an-email",
  };
  const errors = validateSettings(form, ZONES);
  assert.deepEqual(Object.keys(errors).sort(), [
    "dormantAccountDays",
    "name",
    "notificationEmails",
    "slug",
    "timezone",
  ]);
  assert.match(errors.notificationEmails ?? "", /not-an-email/);
  assert.deepEqual(validateSettings(formFromOrg(ORG), ZONES), {});
});

Deno.test("settingsPatch() sends only what changed", () => {
  assert.deepEqual(settingsPatch(ORG, formFromOrg(ORG)), {});
  const patch = settingsPatch(ORG, {
    ...formFromOrg(ORG),
    name: "Acme Corp ",
    timezone: "Europe/Paris",
    notificationEmails: "SecOps@Acme.test, secops@acme.test\naudit@acme.test",
    defaultFramework: "soc2",
  });
  assert.deepEqual(patch, {
    name: "Acme Corp",
    settings: {
      timezone: "Europe/Paris",
      notification_emails: ["secops@acme.test", "audit@acme.test"],
      default_framework: "soc2",
    },
  });
  assert.deepEqual(parseEmails(" a@x.test;b@x.test  "), ["a@x.test", "b@x.test"]);
});
