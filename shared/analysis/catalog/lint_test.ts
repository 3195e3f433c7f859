import assert from "node:assert/strict";
import { CONTROL_IDS as SIM_CONTROL_IDS } from "../../../scripts/snow_sim/params.ts";
import { CHECKS, FRAMEWORKS } from "./catalog.ts";
import { resolveFrameworks } from "./frameworks.ts";
import { lintCatalog, MIN_BEHAVIOURAL_CHECKS, MIN_CHECKS } from "./lint.ts";
import { type Check, CONTROL_IDS } from "./types.ts";

Deno.test("the catalog follows every metadata rule", () => {
  assert.deepEqual(lintCatalog(CHECKS, FRAMEWORKS), []);
});

Deno.test("the catalog has at least 300 checks, 60 of them behavioural", () => {
  assert.ok(CHECKS.length >= MIN_CHECKS, `${CHECKS.length} checks`);
  const behavioural = CHECKS.filter((c) => c.family === "behavioural");
  assert.ok(
    behavioural.length >= MIN_BEHAVIOURAL_CHECKS,
    `${behavioural.length} behavioural checks`,
  );
});

Deno.test("every servicenow.md §5 control is implemented, and the control list matches the simulator's", () => {
  assert.deepEqual([...CONTROL_IDS], [...SIM_CONTROL_IDS]);
  for (const id of CONTROL_IDS) {
    assert.ok(CHECKS.some((c) => c.controls.includes(id)), `no check implements ${id}`);
    // L4 (hardening baseline) and L5 (impersonation and elevation logging) are settings only.
    if (id !== "L4" && id !== "L5") {
      const behavioural = CHECKS.filter((c) =>
        c.family === "behavioural" && c.controls.includes(id)
      );
      assert.ok(behavioural.length > 0, `no behavioural check implements ${id}`);
    }
  }
  assert.equal(
    CHECKS.filter((c) => c.controls.includes("L4")).length,
    CHECKS.filter((c) => c.hardening).length,
  );
});

Deno.test("every framework file resolves to existing checks and every check counts somewhere", () => {
  assert.deepEqual(
    FRAMEWORKS.map((f) => f.id),
    [
      "sox_itgc",
      "soc2_2017",
      "iso_27001_2022",
      "nist_800_53_r5",
      "nist_csf_2_0",
      "pci_dss_4_0",
      "cis_controls_v8_1",
    ],
  );
  const ids = new Set(CHECKS.map((c) => c.id));
  for (const f of FRAMEWORKS) {
    for (const r of f.requirements) {
      assert.ok(r.checks.length > 0, `${f.id} ${r.id} lists no check`);
      for (const id of r.checks) assert.ok(ids.has(id), `${f.id} ${r.id}: unknown check ${id}`);
    }
  }
  for (const c of CHECKS) assert.ok(c.frameworks.length > 0, `${c.id} maps to nothing`);
  const cm6 = FRAMEWORKS.find((f) => f.id === "nist_800_53_r5")!.requirements.find((r) =>
    r.id === "CM-6"
  )!;
  assert.equal(
    cm6.checks.length,
    CHECKS.filter((c) => c.hardening).length,
    "CM-6 covers every hardening setting",
  );
});

function broken(overrides: Partial<Check>): Check {
  const base = CHECKS.find((c) => c.id === "identity_account_dormant")!;
  return { ...base, ...overrides };
}

Deno.test("lintCatalog() reports each kind of broken metadata", async (t) => {
  const lint = (check: Check) =>
    lintCatalog([check], []).filter((p) => p.startsWith(`${check.id}:`));
  await t.step("title rules", () => {
    assert.match(
      lint(broken({ title: "Ensure accounts are used" })).join(),
      /starts with "Ensure"/,
    );
    assert.match(lint(broken({ title: "x".repeat(151) })).join(), /longer than 150/);
  });
  await t.step("id style and area prefix", () => {
    assert.match(lint(broken({ id: "DormantAccounts" })).join(), /snake case/);
    assert.match(
      lint(broken({ id: "change_account_dormant" })).join(),
      /does not start with identity_/,
    );
  });
  await t.step("lengths, severity and risk score", () => {
    assert.match(lint(broken({ description: "d".repeat(401) })).join(), /description/);
    assert.match(lint(broken({ risk: "" })).join(), /risk is empty/);
    assert.match(lint(broken({ riskScore: 11 })).join(), /outside 0–10/);
    assert.match(lint(broken({ severity: "critical" })).join(), /does not match risk score/);
  });
  await t.step("parameter defaults inside bounds", () => {
    const base = broken({});
    const bad = broken({
      parameters: [
        { ...base.parameters[0]!, kind: "integer", default: 5000, min: 1, max: 3650 } as never,
      ],
    });
    assert.match(lint(bad).join(), /default is outside its bounds/);
  });
  await t.step("declared tables and fields", () => {
    const base = broken({});
    const sql = base.evaluator.kind === "sql" ? base.evaluator.sql : "";
    const undeclared = broken({
      evaluator: {
        kind: "sql",
        returns: "failures",
        sql: sql.replaceAll("table_name = 'sys_user'", "table_name = 'sys_user_x'"),
      },
    });
    assert.match(lint(undeclared).join(), /reads table sys_user_x that it does not declare/);
    const noField = broken({ tables: [{ table: "sys_user", fields: ["user_name"] }] });
    assert.match(lint(noField).join(), /reads field last_login_time/);
  });
  await t.step("framework mapping and control coverage", () => {
    assert.match(lint(broken({ frameworks: [] })).join(), /maps to no framework/);
    const all = lintCatalog(CHECKS.filter((c) => !c.controls.includes("C5")), FRAMEWORKS);
    assert.ok(all.includes("control C5: no check implements it"));
    assert.ok(all.some((p) => p.includes("unknown check change_approved_after_work_started")));
  });
  await t.step("framework requirements that name unknown checks", () => {
    const frameworks = resolveFrameworks(CHECKS, [{
      id: "demo",
      name: "Demo",
      version: "1",
      description: "d",
      url: "https://example.com",
      requirements: [{
        id: "R1",
        name: "r",
        section: "s",
        checks: ["no_such_check_here"],
        controls: [],
        hardeningCategories: [],
        hardeningSettings: [],
      }],
    }]);
    assert.deepEqual(lintCatalog(CHECKS, frameworks).filter((p) => p.startsWith("demo")), [
      "demo R1: unknown check no_such_check_here",
    ]);
  });
});
