import assert from "node:assert/strict";
import type { CheckParameter } from "./analysis_api.ts";
import { parameterText, parseParameterText, settingsChange } from "./check_settings_form.ts";

function param(
  fields: Pick<CheckParameter, "name" | "kind" | "default" | "bounds"> & Partial<CheckParameter>,
): CheckParameter {
  return {
    description: "",
    value: fields.default,
    source: "catalog",
    org_setting: null,
    overridden: false,
    ...fields,
  } as CheckParameter;
}

const days = param({
  name: "days",
  kind: "integer",
  default: 90,
  bounds: { min: 1, max: 3650 },
  org_setting: "dormant_account_days",
});
const share = param({
  name: "max_share",
  kind: "number",
  default: 0.05,
  bounds: { min: 0, max: 1 },
});
const roles = param({
  name: "roles",
  kind: "string_list",
  default: ["admin", "security_admin"],
  bounds: { minItems: 1, maxItems: 3, itemPattern: "^[a-z0-9_.]{1,100}$" },
});
const pairs = param({
  name: "pairs",
  kind: "role_pairs",
  default: [["admin", "security_admin"]],
  bounds: { minItems: 1, maxItems: 200 },
});
const pattern = param({
  name: "pattern",
  kind: "pattern",
  default: "^admin",
  bounds: { maxLength: 10 },
});

Deno.test("parameters are shown as text a person can edit", () => {
  assert.equal(parameterText(days), "90");
  assert.equal(parameterText(roles), "admin\nsecurity_admin");
  assert.equal(parameterText(pairs), "admin, security_admin");
  assert.equal(parameterText(pattern), "^admin");
});

Deno.test("numbers are checked against the check's bounds", () => {
  assert.deepEqual(parseParameterText(days, " 30 "), { ok: true, value: 30 });
  assert.deepEqual(parseParameterText(days, "0"), { ok: false, error: "Must be from 1 to 3650." });
  assert.deepEqual(parseParameterText(days, "12.5"), {
    ok: false,
    error: "Enter a whole number from 1 to 3650.",
  });
  assert.deepEqual(parseParameterText(days, ""), {
    ok: false,
    error: "Enter a whole number from 1 to 3650.",
  });
  assert.deepEqual(parseParameterText(share, "0.1"), { ok: true, value: 0.1 });
  assert.deepEqual(parseParameterText(share, "2"), { ok: false, error: "Must be from 0 to 1." });
});

Deno.test("lists are one entry per line, blank lines ignored, each entry checked", () => {
  assert.deepEqual(parseParameterText(roles, "admin\n\n  itil \n"), {
    ok: true,
    value: ["admin", "itil"],
  });
  assert.deepEqual(parseParameterText(roles, "   "), {
    ok: false,
    error: "Enter at least 1 entry.",
  });
  assert.deepEqual(parseParameterText(roles, "a\nb\nc\nd"), {
    ok: false,
    error: "At most 3 entries.",
  });
  assert.deepEqual(parseParameterText(roles, "admin\nSecurity Admin"), {
    ok: false,
    error: '"Security Admin" is not a valid entry.',
  });
});

Deno.test("role pairs need exactly two roles per line", () => {
  assert.deepEqual(parseParameterText(pairs, "itil,admin\n a , b "), {
    ok: true,
    value: [["itil", "admin"], ["a", "b"]],
  });
  assert.deepEqual(parseParameterText(pairs, "itil"), {
    ok: false,
    error: '"itil" is not a pair: write two roles as role_a, role_b.',
  });
  assert.equal(parseParameterText(pairs, "a, b, c").ok, false);
});

Deno.test("patterns are required and bounded in length", () => {
  assert.deepEqual(parseParameterText(pattern, "^svc"), { ok: true, value: "^svc" });
  assert.deepEqual(parseParameterText(pattern, ""), { ok: false, error: "Enter a pattern." });
  assert.deepEqual(parseParameterText(pattern, "x".repeat(11)), {
    ok: false,
    error: "At most 10 characters.",
  });
});

Deno.test("settingsChange() sends only what changed, keeping earlier overrides", async (t) => {
  const overriddenRoles = {
    ...roles,
    value: ["itil"],
    overridden: true,
    source: "override" as const,
  };
  await t.step("nothing changed: nothing to save", () => {
    assert.deepEqual(settingsChange([days, roles], true, { enabled: true, texts: {} }), {
      change: null,
      errors: {},
    });
  });
  await t.step("disabling alone sends enabled only", () => {
    assert.deepEqual(settingsChange([days], true, { enabled: false, texts: {} }).change, {
      enabled: false,
    });
  });
  await t.step("a changed value is sent with the overrides already set", () => {
    assert.deepEqual(
      settingsChange([days, overriddenRoles], true, { enabled: true, texts: { days: "30" } })
        .change,
      { parameters: { days: 30, roles: ["itil"] } },
    );
  });
  await t.step("an error in any field stops the save and says where", () => {
    assert.deepEqual(
      settingsChange([days, roles], true, { enabled: false, texts: { days: "0", roles: "" } }),
      {
        change: null,
        errors: { days: "Must be from 1 to 3650.", roles: "Enter at least 1 entry." },
      },
    );
  });
});
