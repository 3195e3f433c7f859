import assert from "node:assert/strict";
import {
  definitionInput,
  draftOf,
  draftProblem,
  newDraft,
  SECTIONS,
  specOf,
} from "./builder_state.ts";
import type { Definition } from "./reports_api.ts";

const ORG = "5b0c5b64-7a55-4c5f-9d55-0c7c9e0b3a11";
const INSTANCE = "0e3f0f2c-4f57-4a43-8d1f-2f5a3b8e9c21";

Deno.test("a new report covers the latest run with every section, as a PDF", () => {
  const spec = specOf(newDraft(INSTANCE), ORG);
  assert.deepEqual(spec.scope, { org_id: ORG, instance_id: INSTANCE, filters: {} });
  assert.deepEqual(spec.sections, SECTIONS.map((s) => s.id));
});

Deno.test("the spec keeps the sections in print order and only the filters in use", () => {
  const draft = {
    ...newDraft(INSTANCE, "soc2_2017"),
    sections: ["findings" as const, "attestation" as const],
    severity: ["critical" as const, "high" as const],
    status: "FAIL" as const,
    q: "  admin ",
    runId: "7d1e6c7a-1111-4a43-8d1f-2f5a3b8e9c21",
  };
  const spec = specOf(draft, ORG);
  assert.deepEqual(spec.sections, ["attestation", "findings"]);
  assert.deepEqual(spec.scope.filters, {
    severity: ["critical", "high"],
    status: ["FAIL"],
    q: "admin",
  });
  assert.equal(spec.scope.framework, "soc2_2017");
  assert.equal(spec.scope.run_id, draft.runId);
});

Deno.test("a saved report opens in the form as it was saved", () => {
  const draft = {
    ...newDraft(INSTANCE, "iso27001_2022"),
    name: "ISO monthly",
    severity: ["low" as const],
  };
  const input = definitionInput(draft, ORG);
  const saved = {
    ...input,
    id: "9a1e6c7a-2222-4a43-8d1f-2f5a3b8e9c21",
    format: "xlsx",
  } as unknown as Definition;
  const reopened = draftOf(saved);
  assert.equal(reopened.id, saved.id);
  assert.equal(reopened.name, "ISO monthly");
  assert.equal(reopened.framework, "iso27001_2022");
  assert.deepEqual(reopened.severity, ["low"]);
  assert.equal(reopened.format, "xlsx");
  assert.deepEqual(specOf(reopened, ORG), input.spec);
});

Deno.test("the form says what is missing", () => {
  assert.equal(draftProblem(newDraft(""), false), "Choose an instance.");
  assert.equal(
    draftProblem({ ...newDraft(INSTANCE), sections: [] }, false),
    "Choose at least one section.",
  );
  assert.equal(draftProblem(newDraft(INSTANCE), true), "Give the report a name to save it.");
  assert.equal(draftProblem(newDraft(INSTANCE), false), null);
});
