import assert from "node:assert/strict";
import { CONTROL_IDS as SIM_CONTROL_IDS } from "../../../scripts/snow_sim/params.ts";
import { CHECKS, FRAMEWORKS } from "./catalog.ts";
import { type FrameworkSource, resolveFrameworks } from "./frameworks.ts";
import { lintCatalog, MAX_FRAMEWORK_SHARE, MIN_BEHAVIOURAL_CHECKS, MIN_CHECKS } from "./lint.ts";
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

Deno.test("every control test of docs/servicenow/controls.md is implemented, and the control list matches the simulator's", () => {
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
  // Every current hardening setting serves L4; legacy ones (removed from Security Center) do not.
  assert.equal(
    CHECKS.filter((c) => c.controls.includes("L4")).length,
    CHECKS.filter((c) => c.hardening && c.hardening.source !== "legacy").length,
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
      for (const id of r.checks) assert.ok(ids.has(id), `${f.id} ${r.id}: unknown check ${id}`);
    }
  }
  for (const c of CHECKS) assert.ok(c.frameworks.length > 0, `${c.id} maps to nothing`);
  const cm6 = FRAMEWORKS.find((f) => f.id === "nist_800_53_r5")!.requirements.find((r) =>
    r.id === "CM-6"
  )!;
  assert.equal(
    cm6.checks.length,
    CHECKS.filter((c) => c.hardening && c.hardening.source !== "legacy").length,
    "CM-6 covers every current hardening setting",
  );
});

Deno.test("only requirements about a secure configuration baseline take every hardening setting", () => {
  const hardening = CHECKS.filter((c) => c.hardening && c.hardening.source !== "legacy").map((c) =>
    c.id
  );
  const baseline = new Map([
    ["nist_800_53_r5", "CM-6"],
    ["iso_27001_2022", "A.8.9"],
    ["nist_csf_2_0", "PR.PS-01"],
    ["pci_dss_4_0", "2.2.1"],
    ["cis_controls_v8_1", "4.1"],
  ]);
  for (const f of FRAMEWORKS) {
    const whole = f.requirements.filter((r) => hardening.every((id) => r.checks.includes(id)));
    assert.deepEqual(
      whole.map((r) => r.id),
      baseline.has(f.id) ? [baseline.get(f.id)] : [],
      `${f.id}: requirements mapping the whole hardening baseline`,
    );
  }
});

Deno.test("SOX ITGC counts no output-escaping, file-upload, transport or error-page setting", () => {
  const sox = new Set(
    FRAMEWORKS.find((f) => f.id === "sox_itgc")!.requirements.flatMap((r) => r.checks),
  );
  const offTopic = CHECKS.filter((c) =>
    sox.has(c.id) &&
    [
      "Validation, sanitization, and encoding",
      "File and resources",
      "Communications",
      "Malicious code",
    ]
      .includes(c.hardening?.category ?? "")
  );
  assert.deepEqual(offTopic.map((c) => c.id), []);
  assert.ok(sox.has("hardening_glide_enable_password_policy_enabled"), "password parameters count");
  assert.ok(!sox.has("hardening_glide_db_loguser_disabled"), "SQL error pages do not count");
});

Deno.test("each framework's checks differ from every other framework's and stay below 95% of the catalog", () => {
  const sets = FRAMEWORKS.map((f) => new Set(f.requirements.flatMap((r) => r.checks)));
  for (const [i, set] of sets.entries()) {
    assert.ok(set.size < MAX_FRAMEWORK_SHARE * CHECKS.length, `${FRAMEWORKS[i]!.id}: ${set.size}`);
    for (const other of sets.slice(i + 1)) {
      assert.ok(set.size !== other.size || [...set].some((id) => !other.has(id)));
    }
  }
});

function source(id: string, requirements: Partial<FrameworkSource["requirements"][number]>[]) {
  return {
    id,
    name: id,
    version: "1",
    description: "d",
    url: "https://example.com",
    requirements: requirements.map((r, i) => ({
      id: `R${i + 1}`,
      name: "r",
      section: "s",
      type: "partial" as const,
      checks: [],
      controls: [],
      hardeningCategories: [],
      hardeningSettings: [],
      ...r,
    })),
  } satisfies FrameworkSource;
}

Deno.test("lintCatalog() reports frameworks that cannot tell checks apart", async (t) => {
  const lint = (sources: FrameworkSource[]) =>
    lintCatalog(CHECKS, resolveFrameworks(CHECKS, sources), { sources });
  await t.step("two frameworks resolving to the same checks, however they select them", () => {
    const byControl = source("by_control", [{ controls: ["A1", "L7"] }]);
    const byId = source("by_id", [{
      checks: ["integration_certificate_expiring", "identity_privileged_account_dormant"],
    }]);
    assert.deepEqual(lint([byControl, byId]), [
      "by_id: resolves to exactly the same 2 checks as by_control; frameworks must differ where their requirements differ",
    ]);
    const wider = source("wider", [{ controls: ["A1", "L7", "A2"] }]);
    assert.deepEqual(lint([byControl, wider]), []);
  });
  await t.step("a framework selecting 95% of the catalog or more", () => {
    const limit = Math.ceil(MAX_FRAMEWORK_SHARE * CHECKS.length);
    const ids = CHECKS.map((c) => c.id);
    const most = source("most", [{ checks: ids.slice(0, limit) }]);
    assert.deepEqual(lint([most]), [
      `most: resolves to ${limit} of ${CHECKS.length} checks (${
        (100 * limit / CHECKS.length).toFixed(1)
      }%); a framework must select less than 95% of the catalog, only the checks that evidence its requirements`,
    ]);
    assert.deepEqual(lint([source("fewer", [{ checks: ids.slice(0, limit - 1) }])]), []);
    const everything = source("everything", [{ controls: ["L4"] }, {
      checks: ids.filter((id) =>
        !id.startsWith("hardening_") ||
        CHECKS.find((c) => c.id === id)?.hardening?.source === "legacy"
      ),
    }]);
    assert.ok(
      lint([everything]).join().includes(
        `everything: resolves to ${CHECKS.length} of ${CHECKS.length} checks (100.0%)`,
      ),
    );
  });
  await t.step("selectors that select nothing and repeated requirement ids", () => {
    const typo = source("typo", [
      { checks: ["identity_account_dormant"], hardeningSettings: ["glide.no.such.property"] },
      { checks: ["identity_account_dormant"], hardeningCategories: ["Nonexistent"] },
    ]);
    assert.deepEqual(lint([typo]), [
      'typo R1: hardening setting "glide.no.such.property" selects no check',
      'typo R2: hardening category "Nonexistent" selects no check',
    ]);
    const withoutC5 = CHECKS.filter((c) => !c.controls.includes("C5"));
    const needsC5 = source("needs_c5", [{ controls: ["C5", "C4"] }]);
    assert.ok(
      lintCatalog(withoutC5, resolveFrameworks(withoutC5, [needsC5]), { sources: [needsC5] })
        .includes("needs_c5 R1: control C5 selects no check"),
    );
    const manual = source("manual", [{ type: "manual", controls: ["A2"] }, { type: "manual" }]);
    assert.deepEqual(lint([manual]), [
      "manual R1: a manual requirement selects 2 check(s); make it partial or automated",
    ]);
    const twice = source("twice", [{ controls: ["A2"] }, { controls: ["A3"] }]);
    const resolved = resolveFrameworks(CHECKS, [twice]).map((f) => ({
      ...f,
      requirements: f.requirements.map((r) => ({ ...r, id: "R1" })),
    }));
    assert.deepEqual(lintCatalog(CHECKS, resolved, { sources: [twice] }), [
      "twice R1: duplicate requirement id",
    ]);
  });
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
        type: "partial",
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

/** Requirement counts of each framework version (whole framework, not only what we map). */
const FULL_SIZES: Record<string, number> = {
  iso_27001_2022: 93, // Annex A of ISO/IEC 27001:2022
  nist_csf_2_0: 106, // CSF 2.0 subcategories
  cis_controls_v8_1: 153, // CIS Controls v8.1 safeguards
};

Deno.test("framework files list every requirement of the framework, not only the mapped ones", () => {
  for (const f of FRAMEWORKS) {
    const requirements = f.requirements.length;
    if (FULL_SIZES[f.id] !== undefined) assert.equal(requirements, FULL_SIZES[f.id], f.id);
    const unmapped = f.requirements.filter((r) => r.checks.length === 0);
    assert.ok(unmapped.length > 0, `${f.id} lists only requirements we cover`);
    for (const r of f.requirements) {
      assert.equal(
        r.coverage,
        r.checks.length === 0
          ? (r.type === "manual" ? "manual" : "not_covered")
          : (r.type === "automated" ? "covered" : "partial"),
        `${f.id} ${r.id}`,
      );
    }
  }
  const nist = FRAMEWORKS.find((f) => f.id === "nist_800_53_r5")!;
  const families = new Set(nist.requirements.map((r) => r.id.slice(0, 2)));
  assert.equal(families.size, 20, "all 20 NIST SP 800-53 r5 families");
  assert.ok(nist.requirements.some((r) => r.id === "PE-3" && r.coverage === "manual"));
  const pci = FRAMEWORKS.find((f) => f.id === "pci_dss_4_0")!;
  assert.equal(new Set(pci.requirements.map((r) => r.id.split(".")[0])).size, 12);
  const csf = FRAMEWORKS.find((f) => f.id === "nist_csf_2_0")!;
  assert.deepEqual(
    [...new Set(csf.requirements.map((r) => r.id.slice(0, 2)))],
    ["GV", "ID", "PR", "DE", "RS", "RC"],
  );
});
