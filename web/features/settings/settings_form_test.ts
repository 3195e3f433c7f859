import assert from "node:assert/strict";
import type { OrgDetail } from "../../lib/api_types.ts";
import {
  formFromOrg,
  frameworkOptions,
  parseEmails,
  settingsPatch,
  validateSettings,
} from "./settings_form.ts";

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
    analyze_after_sync: true,
    report_logo: null,
    report_white_label: false,
  },
};
const CATALOG = [
  { id: "sox_itgc", name: "SOX IT General Controls" },
  { id: "soc2_2017", name: "SOC 2 Trust Services Criteria" },
];
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
    defaultFramework: "soc2_2017",
    analyzeAfterSync: false,
  });
  assert.deepEqual(patch, {
    name: "Acme Corp",
    settings: {
      timezone: "Europe/Paris",
      notification_emails: ["secops@acme.test", "audit@acme.test"],
      default_framework: "soc2_2017",
      analyze_after_sync: false,
    },
  });
  assert.deepEqual(settingsPatch(ORG, { ...formFromOrg(ORG), defaultFramework: "" }), {});
  assert.deepEqual(parseEmails(" a@x.test;b@x.test  "), ["a@x.test", "b@x.test"]);
});

Deno.test("formFromOrg() and settingsPatch() carry the analysis-after-sync switch", () => {
  assert.equal(formFromOrg(ORG).analyzeAfterSync, true);
  const off = { ...ORG, settings: { ...ORG.settings, analyze_after_sync: false } };
  assert.equal(formFromOrg(off).analyzeAfterSync, false);
  assert.deepEqual(settingsPatch(off, { ...formFromOrg(off), analyzeAfterSync: true }), {
    settings: { analyze_after_sync: true },
  });
  assert.deepEqual(settingsPatch(off, formFromOrg(off)), {});
});

Deno.test("frameworkOptions() offers none and the catalog's frameworks by id", async (t) => {
  await t.step("the catalog's ids, with their names", () => {
    assert.deepEqual(frameworkOptions(CATALOG, ""), [
      { value: "", label: "None (all frameworks alike)" },
      { value: "sox_itgc", label: "SOX IT General Controls" },
      { value: "soc2_2017", label: "SOC 2 Trust Services Criteria" },
    ]);
  });
  await t.step("a saved id the catalog does not have stays visible, marked", () => {
    const options = frameworkOptions(CATALOG, "soc2");
    assert.deepEqual(options.at(-1), { value: "soc2", label: "soc2 (not in the check catalog)" });
    assert.equal(options.length, 4);
  });
  await t.step("before the catalog is loaded the saved value is shown as it is", () => {
    assert.deepEqual(frameworkOptions(null, "sox_itgc"), [
      { value: "", label: "None (all frameworks alike)" },
      { value: "sox_itgc", label: "sox_itgc" },
    ]);
  });
});

Deno.test("validateSettings() accepts only the frameworks it is given", () => {
  const frameworks = new Set(CATALOG.map((f) => f.id));
  const form = (defaultFramework: string) => ({ ...formFromOrg(ORG), defaultFramework });
  assert.deepEqual(validateSettings(form("sox_itgc"), ZONES, { frameworks }), {});
  assert.deepEqual(validateSettings(form(""), ZONES, { frameworks }), {});
  assert.deepEqual(validateSettings(form("soc2"), ZONES, { frameworks }), {
    defaultFramework: "Choose a framework from the list.",
  });
  // Without the list (not loaded) the API decides.
  assert.deepEqual(validateSettings(form("soc2"), ZONES), {});
});
