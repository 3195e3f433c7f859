import assert from "node:assert/strict";
import { CHECKS } from "../catalog/mod.ts";
import { fillPlaceholders, fillRemediation, recordUrl } from "./remediation.ts";

const SYS_ID = "8b56a736e42876a534698bcc64bfd303";
const finding = { sysId: SYS_ID, resourceKey: SYS_ID, tableName: "sys_user", evidence: {} };

Deno.test("fillPlaceholders() names the record, and reads table, user and role from the evidence", () => {
  assert.equal(
    fillPlaceholders("Open sys_user.do?sys_id=<resource>.", finding),
    `Open sys_user.do?sys_id=${SYS_ID}.`,
  );
  assert.equal(
    fillPlaceholders("Create ACLs named <table> for <role> (<user_name>)", {
      ...finding,
      evidence: { table: "u_payroll", role: "itil", user_name: "svc.sync" },
    }),
    "Create ACLs named u_payroll for itil (svc.sync)",
  );
  // A table without ACLs is reported as its sys_db_object record, named after it.
  assert.equal(
    fillPlaceholders("create record ACLs named <table>", {
      ...finding,
      tableName: "sys_db_object",
      evidence: { name: "u_payroll" },
    }),
    "create record ACLs named u_payroll",
  );
});

Deno.test("fillPlaceholders() reads plain words where the finding has no value, never <resource>", () => {
  assert.equal(
    fillPlaceholders("Review <resource> in <table> with <role>", {
      sysId: null,
      resourceKey: "glide.security.use_csrf_token",
      tableName: "sys_properties",
      evidence: {},
    }),
    "Review glide.security.use_csrf_token in the table with the role",
  );
  // Angle brackets that are not placeholders (code, `<n>`) stay as written.
  assert.equal(fillPlaceholders("itil<n> and <script>", finding), "itil<n> and <script>");
});

Deno.test("fillRemediation() leaves no known placeholder in any check of the catalog", () => {
  for (const check of CHECKS) {
    const filled = fillRemediation(check.remediation, finding);
    const text = [filled.summary, ...filled.steps].join("\n");
    assert.doesNotMatch(text, /<(resource|table|user_name|role)>/, check.id);
  }
});

Deno.test("recordUrl() links a record by table and sys_id, and nothing else", () => {
  assert.equal(
    recordUrl("https://acme.service-now.com/", "sys_user", SYS_ID),
    `https://acme.service-now.com/sys_user.do?sys_id=${SYS_ID}`,
  );
  assert.equal(recordUrl("https://acme.service-now.com", "sys_properties", null), null);
  assert.equal(recordUrl("https://acme.service-now.com", "sys_user", "not-a-sys-id"), null);
  assert.equal(recordUrl("https://acme.service-now.com", "../evil", SYS_ID), null);
});
