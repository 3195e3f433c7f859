import assert from "node:assert/strict";
import type { FindingFilters } from "../analysis/analysis_api.ts";
import { findingsSpec, frameworkSpec } from "./export_specs.ts";

const target = { orgId: "o", instanceId: "i", runId: "r" };
const none: FindingFilters = {
  severity: [],
  area: [],
  framework: "",
  status: [],
  delta: [],
  check_id: "",
  triage: [],
  muted: "",
  q: "",
  sort: "severity",
};

Deno.test("an unfiltered findings list exports every finding of the run shown", () => {
  assert.deepEqual(findingsSpec(target, none), {
    title: "Findings",
    scope: { org_id: "o", instance_id: "i", run_id: "r", filters: {} },
    sections: ["findings"],
  });
});

Deno.test("the list's filters become the report's, the framework its scope", () => {
  const spec = findingsSpec(target, {
    ...none,
    severity: ["critical"],
    framework: "soc2_2017",
    status: ["FAIL"],
    check_id: "acl_admin_overrides",
    muted: "false",
    q: " bob ",
    sort: "resource",
  });
  assert.equal(spec.scope.framework, "soc2_2017");
  assert.deepEqual(spec.scope.filters, {
    severity: ["critical"],
    status: ["FAIL"],
    check_id: ["acl_admin_overrides"],
    muted: "false",
    q: "bob",
  });
});

Deno.test("a framework view exports its attestation", () => {
  const spec = frameworkSpec(target, { id: "nist_800_53", name: "NIST 800-53" });
  assert.equal(spec.title, "NIST 800-53 attestation");
  assert.equal(spec.scope.framework, "nist_800_53");
  assert.deepEqual(spec.sections, ["summary", "attestation", "findings"]);
});
