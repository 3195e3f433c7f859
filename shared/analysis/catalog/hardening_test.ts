import assert from "node:assert/strict";
import { HARDENING_SETTINGS as SIM_SETTINGS } from "../../servicenow/hardening/catalog.ts";
import {
  effectivePropertyValue,
  evaluateHardeningSetting,
  HARDENING_CATEGORIES,
  HARDENING_EVALUATOR_SQL,
  HARDENING_SETTINGS,
  type HardeningSnapshot,
  satisfiesRule,
  securityCenterScore,
  SKIPPED_HARDENING_SETTINGS,
} from "./hardening.ts";
import type { HardeningItem, HardeningSetting } from "./types.ts";

Deno.test("securityCenterScore() reproduces the documented example: 25.4 of 34.9 gives 73", () => {
  const result = securityCenterScore([
    { risk: 8.8, compliant: true },
    { risk: 9.1, compliant: true },
    { risk: 7.5, compliant: true },
    { risk: 9.5, compliant: false },
  ]);
  assert.equal(result.compliantRisk, 25.4);
  assert.equal(result.totalRisk, 34.9);
  assert.equal(result.score, 73);
  assert.deepEqual([result.compliant, result.total], [3, 4]);
});

Deno.test("securityCenterScore() rounds up, and floating-point noise never adds a point", async (t) => {
  await t.step("any fraction rounds up", () => {
    assert.equal(
      securityCenterScore([{ risk: 9.9, compliant: true }, { risk: 0.1, compliant: false }]).score,
      99,
    );
    assert.equal(
      securityCenterScore([{ risk: 0.1, compliant: true }, { risk: 9.9, compliant: false }]).score,
      1,
    );
  });
  await t.step("exact results stay exact", () => {
    const tenths = Array.from({ length: 30 }, () => ({ risk: 0.1, compliant: true }));
    assert.equal(securityCenterScore(tenths).score, 100);
    assert.equal(
      securityCenterScore([{ risk: 0.1, compliant: true }, { risk: 0.2, compliant: true }, {
        risk: 0.3,
        compliant: false,
      }]).score,
      50,
    );
  });
  await t.step("settings without risk count zero; no risk at all gives no score", () => {
    assert.equal(
      securityCenterScore([{ risk: null, compliant: false }, { risk: 5, compliant: true }]).score,
      100,
    );
    assert.equal(securityCenterScore([{ risk: null, compliant: true }]).score, null);
    assert.equal(securityCenterScore([]).score, null);
  });
});

Deno.test("satisfiesRule() judges every rule kind on trimmed values", () => {
  const cases: [Parameters<typeof satisfiesRule>[0], string | null, boolean][] = [
    [{ op: "eq", value: "true" }, " true\n", true],
    [{ op: "eq", value: "true" }, "TRUE", false],
    [{ op: "eq", value: "true" }, null, false],
    [{ op: "one_of", values: ["DENY", "SAMEORIGIN"] }, "SAMEORIGIN", true],
    [{ op: "one_of", values: ["DENY", "SAMEORIGIN"] }, "", false],
    [{ op: "max", value: 60 }, "60", true],
    [{ op: "max", value: 60 }, "61", false],
    [{ op: "max", value: 60 }, "", false],
    [{ op: "max", value: 60 }, "sixty", false],
    [{ op: "min", value: 1440 }, "1440.0", true],
    [{ op: "min", value: 1440 }, "-5", false],
    [{ op: "range", min: 1, max: 720 }, "0", false],
    [{ op: "range", min: 1, max: 720 }, "720", true],
    [{ op: "blank" }, "  ", true],
    [{ op: "blank" }, "x", false],
    [{ op: "not_blank" }, " ", false],
    [{ op: "contains_all", values: ["a", "b"] }, "b, c ,a", true],
    [{ op: "contains_all", values: ["a", "b"] }, "a,c", false],
    [{ op: "subset_of", values: ["a", "b"] }, "a, ,b", true],
    [{ op: "subset_of", values: ["a", "b"] }, "a,z", false],
    [{ op: "excludes_all", values: ["c60ad24b"] }, "xxc60ad24bxx", false],
    [{ op: "excludes_all", values: ["c60ad24b"] }, "1234", true],
  ];
  for (const [rule, value, expected] of cases) {
    assert.equal(
      satisfiesRule(rule, value),
      expected,
      `${JSON.stringify(rule)} on ${JSON.stringify(value)}`,
    );
  }
});

Deno.test("effectivePropertyValue() prefers the record, then the fallback, then the default", () => {
  const item = {
    kind: "property",
    name: "p",
    rule: { op: "blank" },
    default: "d",
    fallback: "f",
  } as const;
  assert.equal(effectivePropertyValue(item, "r"), "r");
  assert.equal(effectivePropertyValue(item, ""), "");
  assert.equal(effectivePropertyValue(item, undefined), "f");
  assert.equal(effectivePropertyValue({ ...item, fallback: null }, undefined), "d");
  assert.equal(effectivePropertyValue({ ...item, fallback: null, default: null }, undefined), null);
});

function snapshot(parts: Partial<HardeningSnapshot>): HardeningSnapshot {
  return {
    readableTables: new Set([
      "sys_properties",
      "v_plugin",
      "sysevent_script_action",
      "multi_factor_criteria",
    ]),
    properties: new Map(),
    plugins: new Map(),
    records: new Map(),
    ...parts,
  };
}

function setting(key: string): HardeningSetting {
  const s = HARDENING_SETTINGS.find((x) => x.key === key);
  assert.ok(s, `no setting ${key}`);
  return s;
}

Deno.test("evaluateHardeningSetting() never passes a setting on missing data", async (t) => {
  const mfa = setting("glide.authenticate.multifactor");
  await t.step("an absent property with a failing fallback fails", () => {
    assert.equal(evaluateHardeningSetting(mfa, snapshot({})).status, "FAIL");
  });
  await t.step("an absent property without fallback or default is not evaluated, with why", () => {
    const verdict = evaluateHardeningSetting(
      setting("glide.login.no_blank_password"),
      snapshot({}),
    );
    assert.equal(verdict.status, null);
    assert.equal(
      verdict.reason,
      "property not set and platform default unknown: glide.login.no_blank_password",
    );
  });
  await t.step("a verdict on an absent property says the default was used", () => {
    const failing = evaluateHardeningSetting(mfa, snapshot({}));
    assert.deepEqual([failing.status, failing.defaultUsed], ["FAIL", true]);
    const passing = evaluateHardeningSetting(setting("glide.ui.session_timeout"), snapshot({}));
    assert.deepEqual([passing.status, passing.defaultUsed], ["PASS", true]);
    const properties = new Map([["glide.ui.session_timeout", { sysId: "p1", value: "15" }]]);
    const set = evaluateHardeningSetting(
      setting("glide.ui.session_timeout"),
      snapshot({ properties }),
    );
    assert.deepEqual([set.status, set.defaultUsed], ["PASS", false]);
  });
  await t.step("an absent property whose fallback complies passes", () => {
    assert.equal(
      evaluateHardeningSetting(setting("glide.ui.session_timeout"), snapshot({})).status,
      "PASS",
    );
  });
  await t.step("every item must comply", () => {
    const properties = new Map([["glide.authenticate.multifactor", {
      sysId: "p1",
      value: "true",
    }]]);
    const inactive = new Map([[
      "multi_factor_criteria",
      new Map([["d427668b73003300fdbd04fbc4f6a7b6", { active: "false" }]]),
    ]]);
    const active = new Map([[
      "multi_factor_criteria",
      new Map([["d427668b73003300fdbd04fbc4f6a7b6", { active: "true" }]]),
    ]]);
    assert.equal(
      evaluateHardeningSetting(mfa, snapshot({ properties, records: inactive })).status,
      "FAIL",
    );
    assert.equal(
      evaluateHardeningSetting(mfa, snapshot({ properties, records: active })).status,
      "PASS",
    );
  });
  await t.step(
    "an unreadable table leaves the setting undecided unless a readable item fails",
    () => {
      const readableTables = new Set(["sys_properties"]);
      const good = new Map([["glide.authenticate.multifactor", { sysId: "p1", value: "true" }]]);
      const bad = new Map([["glide.authenticate.multifactor", { sysId: "p1", value: "false" }]]);
      assert.equal(
        evaluateHardeningSetting(mfa, snapshot({ readableTables, properties: good })).status,
        null,
      );
      assert.equal(
        evaluateHardeningSetting(mfa, snapshot({ readableTables, properties: bad })).status,
        "FAIL",
      );
      assert.equal(
        evaluateHardeningSetting(
          setting("glide.ui.session_timeout"),
          snapshot({ readableTables: new Set() }),
        ).status,
        null,
      );
    },
  );
  await t.step("a plugin without a v_plugin row is inactive", () => {
    const hs = setting("com.glide.high_security");
    assert.equal(evaluateHardeningSetting(hs, snapshot({})).status, "FAIL");
    const plugins = new Map([["com.glide.high_security", { sysId: "x", active: "active" }]]);
    assert.equal(evaluateHardeningSetting(hs, snapshot({ plugins })).status, "PASS");
  });
});

Deno.test("the hardening data covers every current Security Center setting exactly once", () => {
  const rows = HARDENING_SETTINGS.filter((s) => s.row !== null).map((s) => s.row!);
  const skipped = SKIPPED_HARDENING_SETTINGS.map((s) => s.row);
  assert.equal(new Set(rows).size, rows.length, "a Security Center row appears twice");
  assert.deepEqual(
    [...rows, ...skipped].sort((a, b) => a - b),
    Array.from({ length: 278 }, (_, i) => i + 1),
  );
  const legacy = HARDENING_SETTINGS.filter((s) => s.source === "legacy");
  assert.ok(legacy.length > 0, "no legacy setting");
  for (const s of legacy) {
    assert.match(s.docStatus ?? "", /removed/i, `${s.key} is legacy but not marked removed`);
  }
  assert.ok(
    SKIPPED_HARDENING_SETTINGS.every((s) => /removed/i.test(s.reason)),
    "only removed settings are skipped",
  );
  const keys = HARDENING_SETTINGS.map((s) => s.key);
  assert.equal(new Set(keys).size, keys.length, "two settings share a key");
  for (const s of HARDENING_SETTINGS) {
    assert.ok(
      (HARDENING_CATEGORIES as readonly string[]).includes(s.category),
      `${s.key}: unknown category ${s.category}`,
    );
    assert.ok(s.risk !== null || s.riskEstimate !== undefined, `${s.key}: no risk and no estimate`);
  }
});

function itemNamed(name: string): { setting: HardeningSetting; item: HardeningItem } | undefined {
  for (const setting of HARDENING_SETTINGS) {
    for (const item of setting.items) {
      if (
        (item.kind === "property" && item.name === name) ||
        (item.kind === "plugin" && item.id === name)
      ) {
        return { setting, item };
      }
    }
  }
  return undefined;
}

Deno.test("the hardening data agrees with the simulator's catalog on every setting it contains", () => {
  for (const sim of SIM_SETTINGS) {
    const found = itemNamed(sim.name);
    assert.ok(found, `${sim.name} is missing from the hardening data`);
    const { setting, item } = found;
    assert.equal(setting.category, sim.category, `${sim.name}: category`);
    assert.equal(setting.risk, sim.severity, `${sim.name}: risk`);
    if (sim.kind === "plugin") {
      assert.equal(item.kind, "plugin", `${sim.name}: kind`);
      continue;
    }
    assert.equal(item.kind, "property", `${sim.name}: kind`);
    if (item.kind !== "property") continue;
    assert.deepEqual(item.rule, sim.rule, `${sim.name}: rule`);
    assert.equal(item.default, sim.defaultValue, `${sim.name}: default`);
    assert.equal(item.fallback, sim.fallback, `${sim.name}: fallback`);
    assert.equal(
      setting.key,
      sim.name,
      `${sim.name}: must be its setting's key (the manifest reports it under this name)`,
    );
  }
});

Deno.test("the hardening statement ties every snow_records read to the instance ($1)", () => {
  const reads = HARDENING_EVALUATOR_SQL.match(/public\.snow_records/g)?.length ?? 0;
  const scoped = HARDENING_EVALUATOR_SQL.match(/r\.instance_id = \$1::uuid/g)?.length ?? 0;
  assert.ok(reads > 0);
  assert.equal(scoped, reads);
  assert.match(HARDENING_EVALUATOR_SQL, /t\.instance_id = \$1::uuid/);
});

Deno.test("a setting whose plugin ids are unconfirmed never fails on the platform default", () => {
  // An unconfirmed id may say "installed" on an instance without the
  // application: with no property record there, the setting must not fail.
  const unconfirmed = HARDENING_SETTINGS.filter((s) => s.plugin && !s.plugin.confirmed);
  assert.ok(unconfirmed.length > 0);
  for (const s of unconfirmed) {
    assert.notEqual(evaluateHardeningSetting(s, snapshot({})).status, "FAIL", s.key);
  }
});
