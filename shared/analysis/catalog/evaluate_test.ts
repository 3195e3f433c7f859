import assert from "node:assert/strict";
import { createTestbed, sid } from "./_testbed.ts";
import { canEvaluate } from "./availability.ts";
import { CHECKS, getCheck, requiredFields, requiredRecords } from "./catalog.ts";
import { hardeningScore, planEvaluation, runEvaluation, summarizeCheck } from "./evaluate.ts";
import {
  defaultParameters,
  ParameterError,
  parameterSource,
  resolveParameters,
} from "./parameters.ts";
import type { Check, EvaluatorRow } from "./types.ts";

const bed = await createTestbed();
Deno.test.afterAll(() => bed.close());

function check(id: string): Check {
  const c = getCheck(id);
  assert.ok(c, `no check ${id}`);
  return c;
}

const dormant = check("identity_privileged_account_dormant");
const mfaSetting = CHECKS.find((c) => c.hardening?.key === "glide.authenticate.multifactor")!;
const manualSetting = CHECKS.find((c) => c.hardening?.items.some((i) => i.kind === "manual"))!;

Deno.test("canEvaluate() says why a check cannot run", async (t) => {
  const readable = (names: string[]) => names.map((table_name) => ({ table_name, readable: true }));
  await t.step("every table readable: ready", () => {
    assert.deepEqual(
      canEvaluate(dormant, readable(["sys_user", "sys_user_has_role", "sys_user_role"])),
      { ok: true, partial: null },
    );
  });
  await t.step("an unreadable table: not evaluated, naming the table", () => {
    const tables = [...readable(["sys_user", "sys_user_role"]), {
      table_name: "sys_user_has_role",
      readable: false,
    }];
    assert.deepEqual(canEvaluate(dormant, tables), {
      ok: false,
      verdict: "NOT_EVALUATED",
      reason: "no read access: sys_user_has_role was not readable by the integration user",
    });
  });
  await t.step("the sync error is part of the reason", () => {
    const tables = [...readable(["sys_user", "sys_user_role"]), {
      table_name: "sys_user_has_role",
      readable: false,
      last_error: "HTTP 403",
    }];
    const result = canEvaluate(dormant, tables);
    assert.equal(result.ok, false);
    assert.match(
      !result.ok ? result.reason : "",
      /not readable by the integration user \(HTTP 403\)/,
    );
  });
  await t.step("a table never synced", () => {
    assert.deepEqual(canEvaluate(dormant, readable(["sys_user", "sys_user_role"])), {
      ok: false,
      verdict: "NOT_EVALUATED",
      reason: "sys_user_has_role has not been synced yet",
    });
  });
  await t.step("a table the instance does not have: not applicable", () => {
    const tables = [...readable(["sys_user", "sys_user_role"]), {
      table_name: "sys_user_has_role",
      readable: false,
      table_missing: true,
    }];
    assert.deepEqual(canEvaluate(dormant, tables), {
      ok: false,
      verdict: "NOT_APPLICABLE",
      reason: "table `sys_user_has_role` does not exist on this instance (plugin not installed)",
    });
  });
  await t.step("a judged field the instance does not return: not evaluated, naming it", () => {
    const requested = ["active", "last_login_time", "user_name", "sys_id", "sys_updated_on"];
    const tables = [...readable(["sys_user_has_role", "sys_user_role"]), {
      table_name: "sys_user",
      readable: true,
      fields_requested: [...requested, "web_service_access_only", "internal_integration_user"],
      fields_present: requested.filter((f) => f !== "last_login_time"),
    }];
    const result = canEvaluate(dormant, tables);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.verdict, "NOT_EVALUATED");
    assert.match(
      !result.ok ? result.reason : "",
      /field `last_login_time` is not available on table `sys_user` on this instance/,
    );
  });
  await t.step("an absent evidence-only field does not block the verdict", () => {
    const fields = [
      "active",
      "last_login_time",
      "web_service_access_only",
      "internal_integration_user",
      "sys_id",
    ];
    const tables = [...readable(["sys_user_has_role", "sys_user_role"]), {
      table_name: "sys_user",
      readable: true,
      fields_requested: [...fields, "user_name"],
      fields_present: fields,
    }];
    assert.deepEqual(canEvaluate(dormant, tables), { ok: true, partial: null });
  });
  await t.step("an optional table only adds a note", () => {
    const c2 = check("change_implementer_approved");
    const result = canEvaluate(c2, [
      ...readable(["change_request", "sysapproval_approver"]),
      { table_name: "change_task", readable: false, table_missing: true },
    ]);
    assert.equal(result.ok, true);
    assert.match(result.ok ? result.partial ?? "" : "", /change_task.*does not exist/);
  });
  await t.step("a setting of a plugin that is not installed: not applicable", () => {
    const hr = CHECKS.find((c) => c.hardening?.plugin?.ids.includes("com.sn_hr_core"))!;
    const tables = readable(["sys_properties", "v_plugin"]);
    const none = canEvaluate(hr, tables, { readable: true, active: new Set() });
    assert.equal(!none.ok && none.verdict, "NOT_APPLICABLE");
    assert.match(!none.ok ? none.reason : "", /HR Service Delivery.*not installed/);
    const installed = canEvaluate(hr, tables, {
      readable: true,
      active: new Set(["com.sn_hr_core"]),
    });
    assert.equal(installed.ok, true);
    // An unreadable plugin list concludes nothing: the setting is judged.
    assert.equal(canEvaluate(hr, tables, { readable: false, active: new Set() }).ok, true);
  });
  await t.step("plugin-owned settings are judged under the plugin ids ServiceNow uses", () => {
    // The ids ServiceNow's documentation gives for the applications (store
    // applications go by their scope): with that plugin active the setting is judged.
    const tables = readable(["sys_properties", "v_plugin"]);
    const cases: [string, string][] = [
      ["sn_guest_walkup_cs.captcha.enabled", "sn_guest_walkup_cs"],
      ["sn_disco_certmgmt.private_key_size", "sn_disco_certmgmt"],
      ["sn_ext_usr_reg.captchaEnabled", "com.snc.external_user_self_registration"],
      ["sn_fsm.use_query_rules", "com.snc.work_management"],
      ["sn_customerservice.captchaEnabled", "com.sn_customerservice"],
      [
        "glide.authenticate.limit.concurrent.interactive.sessions",
        "com.glide.limit.concurrent.sessions",
      ],
    ];
    for (const [key, id] of cases) {
      const setting = CHECKS.find((c) => c.hardening?.key === key)!;
      const judged = canEvaluate(setting, tables, { readable: true, active: new Set([id]) });
      assert.equal(judged.ok, true, `${key} with ${id} active`);
    }
    // Every plugin-owned setting says whether its ids are confirmed and where they come from.
    for (const c of CHECKS.filter((c) => c.hardening?.plugin)) {
      const plugin = c.hardening!.plugin!;
      assert.match(plugin.basis, plugin.confirmed ? /^Confirmed/ : /^Not confirmed/, c.id);
    }
  });
  await t.step("hardening settings with a readable part are partially ready", () => {
    const result = canEvaluate(mfaSetting, readable(["sys_properties"]));
    assert.equal(result.ok, true);
    assert.match(
      result.ok ? result.partial ?? "" : "",
      /multi_factor_criteria has not been synced yet/,
    );
    assert.equal(canEvaluate(mfaSetting, []).ok, false);
  });
  await t.step("manual settings are never evaluated", () => {
    const result = canEvaluate(manualSetting, readable(["sys_properties"]));
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : "", /^Needs a manual review: /);
  });
});

Deno.test("summarizeCheck() turns rows into PASS, FAIL or NOT_EVALUATED and caps the evidence", () => {
  const fail = (n: number): EvaluatorRow => ({
    resource_key: `k${String(n).padStart(3, "0")}`,
    table_name: "sys_user",
    sys_id: `k${n}`,
    status: "FAIL",
    evidence: {},
  });
  const ready = { ok: true, partial: null } as const;
  assert.equal(summarizeCheck(dormant, [], ready).status, "PASS");
  const many = summarizeCheck(
    dormant,
    Array.from({ length: 120 }, (_, i) => fail(119 - i)),
    ready,
    { evidenceLimit: 10 },
  );
  assert.equal(many.status, "FAIL");
  assert.equal(many.failed, 120);
  assert.equal(many.evidence.length, 10);
  assert.equal(many.evidence[0]!.resource_key, "k000");
  assert.equal(many.evidenceTruncated, true);
  const blocked = summarizeCheck(dormant, [fail(1)], {
    ok: false,
    verdict: "NOT_EVALUATED",
    reason: "sys_user was not readable by the integration user",
  });
  assert.deepEqual([blocked.status, blocked.reason, blocked.failed], [
    "NOT_EVALUATED",
    "sys_user was not readable by the integration user",
    0,
  ]);
  const undecided = summarizeCheck(mfaSetting, [], {
    ok: true,
    partial: "multi_factor_criteria has not been synced yet",
  });
  assert.deepEqual([undecided.status, undecided.reason], [
    "NOT_EVALUATED",
    "multi_factor_criteria has not been synced yet",
  ]);
  const pass: EvaluatorRow = {
    resource_key: "r",
    table_name: "sys_user_role",
    sys_id: "r",
    status: "PASS",
    evidence: {},
  };
  const all = summarizeCheck(check("identity_privileged_role_excessive_holders"), [pass], ready);
  assert.deepEqual([all.status, all.passed, all.failed], ["PASS", 1, 0]);
});

Deno.test("resolveParameters() applies organization values inside the declared bounds", async (t) => {
  await t.step("defaults", () => {
    assert.deepEqual(resolveParameters(dormant), { days: 90, roles: ["admin", "security_admin"] });
    assert.deepEqual(defaultParameters(dormant), resolveParameters(dormant));
  });
  await t.step("overrides", () => {
    assert.deepEqual(resolveParameters(dormant, { days: 30 }), {
      days: 30,
      roles: ["admin", "security_admin"],
    });
  });
  await t.step("out of bounds, wrong type or unknown names are rejected with every problem", () => {
    let error: unknown;
    try {
      resolveParameters(dormant, { days: 0, roles: ["Admin Role"], color: "red" });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ParameterError);
    assert.equal(error.issues.length, 3);
    assert.match(
      error.message,
      /^Cannot set the parameters of check "identity_privileged_account_dormant": /,
    );
  });
  await t.step("role pairs need two different valid roles", () => {
    const sod = check("identity_sod_conflicting_roles");
    assert.throws(() => resolveParameters(sod, { pairs: [["admin", "admin"]] }), ParameterError);
    assert.deepEqual(resolveParameters(sod, { pairs: [["itil", "itil_admin"]] }), {
      pairs: [["itil", "itil_admin"]],
    });
  });
  await t.step("patterns must compile", () => {
    assert.throws(
      () => resolveParameters(check("identity_account_generic_name"), { pattern: "(" }),
      ParameterError,
    );
  });
  await t.step("override > organization setting > catalog default", () => {
    const settings = { dormant_account_days: 30 };
    const days = dormant.parameters.find((p) => p.name === "days")!;
    assert.equal(resolveParameters(dormant, {}, { settings }).days, 30);
    assert.equal(parameterSource(days, { settings }), "organization");
    assert.equal(resolveParameters(dormant, { days: 120 }, { settings }).days, 120);
    assert.equal(parameterSource(days, { overrides: { days: 120 }, settings }), "override");
    assert.equal(resolveParameters(dormant, {}, { settings: {} }).days, 90);
    assert.equal(parameterSource(days, { settings: {} }), "catalog");
    // Parameters that declare no organization setting ignore the settings.
    const roles = dormant.parameters.find((p) => p.name === "roles")!;
    assert.equal(parameterSource(roles, { settings }), "catalog");
  });
  await t.step("an organization setting outside the parameter's bounds is named", () => {
    assert.throws(
      () => resolveParameters(dormant, {}, { settings: { dormant_account_days: 0 } }),
      /days: the organization setting dormant_account_days /,
    );
  });
});

Deno.test("the dormant-account checks take their window from the organization's dormant_account_days", () => {
  const bound = CHECKS.flatMap((c) =>
    c.parameters.filter((p) => p.kind === "integer" && p.orgSetting === "dormant_account_days")
      .map((p) => `${c.id}.${p.name}`)
  );
  assert.deepEqual(bound.sort(), [
    "identity_account_dormant.days",
    "identity_integration_account_unused.days",
    "identity_privileged_account_dormant.days",
  ]);
});

Deno.test("planEvaluation() makes one statement per behavioural check and one for all hardening settings", () => {
  const statements = planEvaluation([
    dormant,
    mfaSetting,
    manualSetting,
    check("audit_inserts_disabled"),
  ], {
    parameters: { identity_privileged_account_dormant: { days: 30 } },
  });
  assert.deepEqual(statements.map((s) => [s.kind, s.checkIds]), [
    ["check", ["identity_privileged_account_dormant"]],
    ["check", ["audit_inserts_disabled"]],
    ["hardening", [mfaSetting.id]],
  ]);
  assert.deepEqual(statements[0]!.parameters, { days: 30, roles: ["admin", "security_admin"] });
  assert.throws(
    () =>
      planEvaluation([dormant], {
        parameters: { identity_privileged_account_dormant: { days: -1 } },
      }),
    ParameterError,
  );
});

Deno.test("runEvaluation() binds instance, parameters and time, and groups rows by check", async () => {
  const instance = await bed.instance();
  await instance.add("sys_user", [{
    sys_id: sid("old"),
    user_name: "old",
    active: "true",
    last_login_time: "2026-04-01 00:00:00",
  }]);
  await instance.add("sys_user_role", [{ sys_id: sid("role:admin"), name: "admin" }]);
  await instance.add("sys_user_has_role", [{
    user: sid("old"),
    role: sid("role:admin"),
    state: "active",
  }]);
  const other = await bed.instance();
  await other.add("sys_user", [{
    sys_id: sid("elsewhere"),
    user_name: "x",
    active: "true",
    last_login_time: "",
  }]);
  const run = (days: number, now: Date) =>
    bed.tdb.db.asTenant({
      sub: null,
      role: "authenticated",
      ciq_actor: "worker",
      ciq_org_id: bed.orgId,
      ciq_actor_user_id: null,
    }, async (tx) => {
      const [statement] = planEvaluation([dormant], { parameters: { [dormant.id]: { days } } });
      return (await runEvaluation(tx, statement!, { instanceId: instance.id, now })).get(
        dormant.id,
      )!;
    });
  assert.deepEqual((await run(90, new Date("2026-06-01T00:00:00Z"))).map((r) => r.sys_id), []);
  assert.deepEqual((await run(60, new Date("2026-06-01T00:00:00Z"))).map((r) => r.sys_id), [
    sid("old"),
  ]);
  assert.deepEqual((await run(90, new Date("2026-07-01T00:00:00Z"))).map((r) => r.sys_id), [
    sid("old"),
  ]);
  await instance.dispose();
  await other.dispose();
});

Deno.test("runEvaluation() rejects a malformed row", async () => {
  const statement = {
    kind: "check" as const,
    checkIds: ["x_y_z"],
    sql: "select 1 as resource_key",
    parameters: {},
  };
  const fake = { unsafe: () => Promise.resolve([{ resource_key: 1 }]) };
  await assert.rejects(
    runEvaluation(fake, statement, { instanceId: crypto.randomUUID(), now: new Date() }),
    /^Error: Cannot evaluate check "x_y_z": malformed row/,
  );
});

Deno.test("a check over an unreadable table is NOT_EVALUATED, never PASS", async () => {
  const instance = await bed.instance();
  await instance.touch(["sys_user", "sys_user_role"]);
  await instance.setReadable(
    "sys_user_has_role",
    false,
    "HTTP 403 Insufficient rights to query records",
  );
  const outcome = await instance.outcome(dormant);
  assert.equal(outcome.status, "NOT_EVALUATED");
  assert.match(outcome.reason ?? "", /sys_user_has_role was not readable by the integration user/);
  await instance.dispose();
});

Deno.test("requiredFields() lists the union of needed fields per table with sys_id and sys_updated_on", () => {
  const fields = requiredFields(CHECKS);
  for (
    const table of [
      "sys_user",
      "sys_properties",
      "v_plugin",
      "change_request",
      "sysapproval_approver",
      "sys_security_acl",
    ]
  ) {
    assert.ok(fields[table], `${table} is never requested`);
    assert.ok(
      fields[table]!.includes("sys_id") && fields[table]!.includes("sys_updated_on"),
      table,
    );
  }
  for (
    const f of [
      "user_name",
      "active",
      "last_login_time",
      "web_service_access_only",
      "enable_multifactor_authn",
    ]
  ) {
    assert.ok(fields.sys_user!.includes(f), `sys_user.${f}`);
  }
  assert.deepEqual(fields.v_plugin, ["active", "id", "sys_id", "sys_updated_on"]);
  assert.deepEqual(requiredFields([dormant]), {
    sys_user: [
      "active",
      "internal_integration_user",
      "last_login_time",
      "sys_id",
      "sys_updated_on",
      "user_name",
      "web_service_access_only",
    ],
    sys_user_has_role: ["role", "state", "sys_id", "sys_updated_on", "user"],
    sys_user_role: ["name", "sys_id", "sys_updated_on"],
  });
});

Deno.test("requiredRecords() narrows sys_audit to the tablenames the checks read", () => {
  const records = requiredRecords(CHECKS);
  assert.deepEqual(records.sys_audit, {
    field: "tablename",
    values: [
      "sys_properties",
      "sys_script",
      "sys_script_include",
      "sys_security_acl",
      "sys_update_set",
      "sys_user_role",
    ],
  });
  assert.equal(records.sys_user, null);
  const custom = requiredRecords(CHECKS, {
    change_security_config_edit_unapproved: { tables: ["sys_ui_script"] },
  });
  assert.deepEqual(custom.sys_audit, {
    field: "tablename",
    values: ["sys_ui_script", "sys_update_set"],
  });
});

Deno.test("hardeningScore() scores evaluated Security Center settings only", () => {
  const sc = CHECKS.filter((c) =>
    c.hardening?.source === "security_center" && c.hardening.risk !== null
  );
  const curated = CHECKS.find((c) => c.hardening?.source === "curated")!;
  const [a, b, c] = [sc[0]!, sc[1]!, sc[2]!];
  const outcome = (id: string, status: "PASS" | "FAIL" | "NOT_EVALUATED") => ({
    checkId: id,
    status,
    reason: null,
    failed: 0,
    passed: 0,
    evidence: [],
    evidenceTruncated: false,
  });
  const result = hardeningScore(CHECKS, [
    outcome(a.id, "PASS"),
    outcome(b.id, "FAIL"),
    outcome(c.id, "NOT_EVALUATED"),
    outcome(curated.id, "FAIL"),
    outcome(dormant.id, "FAIL"),
  ]);
  const ra = a.hardening!.risk!;
  const rb = b.hardening!.risk!;
  assert.equal(result.total, 2);
  assert.equal(
    result.score,
    Math.ceil((Math.round(ra * 10) * 100) / (Math.round(ra * 10) + Math.round(rb * 10))),
  );
});
