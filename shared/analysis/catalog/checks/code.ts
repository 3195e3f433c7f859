/**
 * Code hygiene in business rules, script includes and client scripts: eval,
 * client-side GlideRecord, hard-coded sys_ids and credentials.
 *
 * @module
 */

import { behavioural, REF } from "../_define.ts";
import type { Check } from "../types.ts";
import { daysBefore, intParam, isFalse, isTrue, records } from "./_sql.ts";

/** `eval(` that is not a method or part of a longer name. */
const EVAL = `'(^|[^A-Za-z0-9_$.])eval[[:space:]]*[(]'`;
/** A quoted 32-hex literal, the shape of a sys_id. */
const SYS_ID = `'[''"][0-9a-f]{32}[''"]'`;
/** Credential shapes (matched case-insensitively). */
const CREDENTIALS = [
  {
    label: "secret assigned to a literal",
    pattern:
      `'(password|passwd|pwd|secret|api[_-]?key|client[_-]?secret|access[_-]?token)[''"]?[[:space:]]*[:=][[:space:]]*[''"][^''"]{4,}[''"]'`,
  },
  {
    label: "setBasicAuth with literal credentials",
    pattern:
      `'setBasicAuth[[:space:]]*[(][[:space:]]*[''"][^''"]+[''"][[:space:]]*,[[:space:]]*[''"][^''"]+[''"]'`,
  },
  { label: "literal Basic authorization header", pattern: `'Basic [A-Za-z0-9+/]{16,}={0,2}'` },
  { label: "literal Bearer token", pattern: `'Bearer [A-Za-z0-9._~+/-]{20,}'` },
];
const ANY_CREDENTIAL = CREDENTIALS.map((c) => `s.data ->> 'script' ~* ${c.pattern}`).join(" or ");
const CREDENTIAL_KIND = `case ${
  CREDENTIALS.map((c) => `when s.data ->> 'script' ~* ${c.pattern} then '${c.label}'`).join(" ")
} end`;

interface ScriptTable {
  readonly table: string;
  readonly noun: string;
  readonly plural: string;
  readonly slug: string;
  /** Field naming where the script runs. */
  readonly where: string;
}

const BUSINESS_RULES: ScriptTable = {
  table: "sys_script",
  noun: "business rule",
  plural: "Business rules",
  slug: "business_rule",
  where: "collection",
};
const SCRIPT_INCLUDES: ScriptTable = {
  table: "sys_script_include",
  noun: "script include",
  plural: "Script includes",
  slug: "script_include",
  where: "api_name",
};
const CLIENT_SCRIPTS: ScriptTable = {
  table: "sys_script_client",
  noun: "client script",
  plural: "Client scripts",
  slug: "client_script",
  where: "table",
};

function scriptEvidence(t: ScriptTable, extra = ""): string {
  return `jsonb_build_object('name', s.data ->> 'name', '${t.where}', s.data ->> '${t.where}',
    'sys_updated_by', s.data ->> 'sys_updated_by', 'sys_updated_on', s.data ->> 'sys_updated_on'${extra})`;
}

function fieldsOf(t: ScriptTable): string[] {
  return ["name", t.where, "active", "script", "sys_updated_by"];
}

function evalCheck(t: ScriptTable, severity: "high" | "medium", riskScore: number): Check {
  return behavioural({
    id: `code_${t.slug}_uses_eval`,
    title: `${t.plural} that call eval()`,
    area: "code",
    severity,
    riskScore,
    description:
      `Active ${t.noun}s whose script calls eval() (sn_SE10023/24: scripts must not use eval).`,
    risk:
      "eval runs whatever text reaches it; with user-influenced input it becomes script injection running with the script's privileges.",
    remediation: {
      summary: "Replace eval with explicit parsing (JSON.parse) or a lookup of allowed functions.",
      steps: [
        `Open each ${t.noun}, rewrite the eval call, and test the change in a sub-production instance.`,
      ],
    },
    references: [REF.scanSecurity],
    resourceType: t.table,
    tables: { [t.table]: fieldsOf(t) },
    sql: `
select s.sys_id as resource_key, '${t.table}' as table_name, s.sys_id, 'FAIL' as status, ${
      scriptEvidence(t)
    } as evidence
from ${records(t.table)} s
where ${isTrue("s", "active")} and s.data ->> 'script' ~ ${EVAL}
order by s.sys_id`,
  });
}

function sysIdCheck(t: ScriptTable): Check {
  return behavioural({
    id: `code_${t.slug}_hardcoded_sys_id`,
    title: `${t.plural} with hard-coded sys_ids`,
    area: "code",
    severity: "low",
    riskScore: 2.6,
    description:
      `Active ${t.noun}s whose script contains a quoted 32-character hexadecimal literal (a sys_id).`,
    risk:
      "Hard-coded sys_ids break silently across instances and clones and often pin security decisions to one record.",
    remediation: {
      summary: "Look records up by a stable key or a system property instead of a literal sys_id.",
      steps: [`Open each ${t.noun} and move the sys_id to a system property or query by name.`],
    },
    references: [REF.scanManageability],
    resourceType: t.table,
    tables: { [t.table]: fieldsOf(t) },
    sql: `
select s.sys_id as resource_key, '${t.table}' as table_name, s.sys_id, 'FAIL' as status,
       ${
      scriptEvidence(
        t,
        `, 'first_sys_id', substring(s.data ->> 'script' from '[''"]([0-9a-f]{32})[''"]'),
    'sys_id_literals', (select count(*) from regexp_matches(s.data ->> 'script', ${SYS_ID}, 'g'))`,
      )
    } as evidence
from ${records(t.table)} s
where ${isTrue("s", "active")} and s.data ->> 'script' ~ ${SYS_ID}
order by s.sys_id`,
  });
}

function credentialCheck(t: ScriptTable): Check {
  return behavioural({
    id: `code_${t.slug}_hardcoded_credential`,
    title: `${t.plural} with hard-coded credentials`,
    area: "code",
    severity: "high",
    riskScore: 8.1,
    description:
      `Active ${t.noun}s whose script assigns a literal password, secret, API key or token, or builds Basic/Bearer authorization from literals (sn_SE10534).`,
    risk:
      "Secrets in scripts are readable by every developer, travel in update sets and clones, and cannot be rotated centrally.",
    remediation: {
      summary:
        "Move the secret to a credential record (Connection & Credential aliases, basic auth profile) and rotate it.",
      steps: [
        `Open each ${t.noun} and replace the literal with a credential alias or encrypted property.`,
        "Rotate the exposed secret at its issuer; the old value is in update-set and version history.",
      ],
    },
    references: [REF.scanSecurity],
    resourceType: t.table,
    tables: { [t.table]: fieldsOf(t) },
    sql: `
select s.sys_id as resource_key, '${t.table}' as table_name, s.sys_id, 'FAIL' as status,
       ${scriptEvidence(t, `, 'match', ${CREDENTIAL_KIND}`)} as evidence
from ${records(t.table)} s
where ${isTrue("s", "active")} and (${ANY_CREDENTIAL})
order by s.sys_id`,
  });
}

/** Code hygiene checks. */
export const CODE_CHECKS: readonly Check[] = [
  evalCheck(CLIENT_SCRIPTS, "high", 7.1),
  evalCheck(BUSINESS_RULES, "high", 7.3),
  evalCheck(SCRIPT_INCLUDES, "high", 7.3),
  behavioural({
    id: "code_client_script_uses_gliderecord",
    title: "Client scripts that query with GlideRecord",
    area: "code",
    severity: "medium",
    riskScore: 4.3,
    description:
      "Active client scripts calling GlideRecord( in the browser instead of GlideAjax (client-side GlideRecord).",
    risk:
      "Client-side GlideRecord sends queries from the browser, exposes table structure and relies on AJAXGlideRecord ACL checks; it also blocks the UI.",
    remediation: {
      summary: "Move the lookup to a script include called through GlideAjax, or use g_scratchpad.",
      steps: [
        "Rewrite each client script to call a client-callable script include protected by an ACL.",
      ],
    },
    references: [REF.scanSecurity],
    resourceType: "sys_script_client",
    tables: { sys_script_client: fieldsOf(CLIENT_SCRIPTS) },
    sql: `
select s.sys_id as resource_key, 'sys_script_client' as table_name, s.sys_id, 'FAIL' as status,
       ${scriptEvidence(CLIENT_SCRIPTS)} as evidence
from ${records("sys_script_client")} s
where ${
      isTrue("s", "active")
    } and s.data ->> 'script' ~ '(^|[^A-Za-z0-9_$])GlideRecord[[:space:]]*[(]'
order by s.sys_id`,
  }),
  behavioural({
    id: "code_script_include_client_callable_gliderecord",
    title: "Client-callable script includes using GlideRecord instead of GlideRecordSecure",
    area: "code",
    severity: "high",
    riskScore: 7.1,
    description:
      'Active client-callable script includes whose script creates new GlideRecord( (community check; Zurich Auditor "insecure GlideRecord calls").',
    risk:
      "GlideRecord ignores ACLs; exposed through GlideAjax it lets any caller read records their roles would not allow.",
    remediation: {
      summary: "Use GlideRecordSecure in client-callable code, or check canRead() explicitly.",
      steps: [
        "Open each script include and replace new GlideRecord( with new GlideRecordSecure( where user input drives the query.",
      ],
    },
    references: [REF.communityChecks, REF.auditor],
    resourceType: "sys_script_include",
    tables: { sys_script_include: [...fieldsOf(SCRIPT_INCLUDES), "client_callable"] },
    sql: `
select s.sys_id as resource_key, 'sys_script_include' as table_name, s.sys_id, 'FAIL' as status,
       ${scriptEvidence(SCRIPT_INCLUDES)} as evidence
from ${records("sys_script_include")} s
where ${isTrue("s", "active")} and ${isTrue("s", "client_callable")}
  and strpos(s.data ->> 'script', 'new GlideRecord(') > 0
order by s.sys_id`,
  }),
  sysIdCheck(BUSINESS_RULES),
  sysIdCheck(SCRIPT_INCLUDES),
  sysIdCheck(CLIENT_SCRIPTS),
  credentialCheck(BUSINESS_RULES),
  credentialCheck(SCRIPT_INCLUDES),
  credentialCheck(CLIENT_SCRIPTS),
  behavioural({
    id: "code_business_rule_inactive_stale",
    title: "Inactive business rules left in place",
    area: "code",
    severity: "low",
    riskScore: 1.0,
    description:
      "Business rules with active = false that were last updated more than the given number of days ago (community manageability check).",
    risk:
      "Dead rules clutter reviews and upgrades and can be reactivated by mistake with outdated logic.",
    remediation: {
      summary:
        "Delete stale inactive business rules through an update set, after checking they are not needed.",
      steps: [
        "Review sys_script_list.do?sysparm_query=active=false and remove rules that are no longer needed.",
      ],
    },
    references: [REF.communityChecks],
    resourceType: "sys_script",
    parameters: [{
      name: "days",
      kind: "integer",
      description: "Inactive rules not updated for more than this many days are stale.",
      default: 90,
      min: 1,
      max: 3650,
    }],
    tables: { sys_script: ["name", "collection", "active", "sys_updated_by"] },
    sql: `
select s.sys_id as resource_key, 'sys_script' as table_name, s.sys_id, 'FAIL' as status,
       ${scriptEvidence(BUSINESS_RULES)} as evidence
from ${records("sys_script")} s
where ${isFalse("s", "active")}
  and public.sn_datetime(s.data ->> 'sys_updated_on') < ${daysBefore(intParam("days"))}
order by s.sys_id`,
  }),
];
