/**
 * Builds one check per hardening setting: metadata, remediation steps and a
 * background script from the data file. All of them share one evaluator
 * (`{kind: "hardening"}`, see HARDENING_EVALUATOR_SQL).
 *
 * @module
 */

import { severityOf } from "./_severity.ts";
import { HARDENING_SETTINGS, itemTable } from "./hardening.ts";
import type {
  Check,
  ControlId,
  HardeningItem,
  HardeningRule,
  HardeningSetting,
  Reference,
  RemediationCode,
  TableRequirement,
} from "./types.ts";

const SC_REFERENCE: Reference = {
  title: "ServiceNow: Security Center hardening settings",
  url: "https://www.servicenow.com/docs/r/platform-security/security-center/all-settings.html",
};
const SCAN_REFERENCE: Reference = {
  title: "ServiceNow: Impact Scan Engine security definitions",
  url: "https://www.servicenow.com/docs/r/impact/scan-engine-definitions-security.html",
};
const HARDENING_GUIDE: Reference = {
  title: "ServiceNow: Instance security hardening settings",
  url:
    "https://www.servicenow.com/docs/r/platform-security/instance-security-hardening-settings/security-hardening-settings.html",
};

/**
 * Extra control tests (docs/servicenow/controls.md) some settings also serve (every
 * current setting serves L4; legacy settings are outside today's baseline and serve none).
 */
function controlsOf(setting: HardeningSetting): ControlId[] {
  if (setting.source === "legacy") return [];
  const controls: ControlId[] = ["L4"];
  const key = setting.key;
  if (key === "glide.authenticate.multifactor") controls.push("A11");
  if (key.startsWith("glide.basicauth.required.")) controls.push("A14");
  const impersonation = [
    "glide.sys.log_impersonation",
    "glide.audit.track_impersonation",
    "glide.sys.permissive.impersonate",
  ];
  if (impersonation.includes(key)) controls.push("A15");
  if (
    [
      ...impersonation,
      "glide.authenticate.session_access.log_audit_event",
      "identity.impersonation.history.enabled",
    ]
      .includes(key)
  ) controls.push("L5");
  if (
    key === "glide.oauth.inbound.ropc.grant_type.disabled" ||
    key === "glide.oauth.clients.allowed.for.implicit.grant"
  ) {
    controls.push("L8");
  }
  return controls;
}

function shortList(values: readonly string[], max = 4): string {
  const shown = values.slice(0, max).map((v) => `"${v}"`).join(", ");
  return values.length > max ? `${shown} and ${values.length - max} more` : shown;
}

/** The rule in words, e.g. "at most 60". */
export function describeRule(rule: HardeningRule): string {
  switch (rule.op) {
    case "eq":
      return `"${rule.value}"`;
    case "one_of":
      return `one of ${shortList(rule.values)}`;
    case "max":
      return `at most ${rule.value}`;
    case "min":
      return `at least ${rule.value}`;
    case "range":
      return `between ${rule.min} and ${rule.max}`;
    case "blank":
      return "blank";
    case "not_blank":
      return "a non-empty value";
    case "contains_all":
      return `a list containing ${shortList(rule.values)}`;
    case "subset_of":
      return `a list of only ${shortList(rule.values)}`;
    case "excludes_all":
      return `a value containing none of ${shortList(rule.values, 2)}`;
  }
}

/** One item's requirement in words. */
export function describeItem(item: HardeningItem): string {
  switch (item.kind) {
    case "property": {
      const absent = item.fallback ?? item.default;
      const when = absent === null
        ? "no value when absent (non-compliant)"
        : `"${absent}" when absent`;
      return `${item.name} is ${describeRule(item.rule)} (${when})`;
    }
    case "property_pattern":
      return `every property named like ${item.like} is ${describeRule(item.rule)}`;
    case "plugin":
      return `plugin ${item.id} is active`;
    case "script_action":
      return `script action ${item.anyOf.join(" or ")} is active`;
    case "record":
      return item.expect === "active"
        ? `${item.table} record ${item.sysId} is active`
        : `${item.table} record ${item.sysId} is absent or inactive`;
    case "record_count": {
      const what = item.activeOnly ? `active ${item.table} records` : `${item.table} records`;
      if (item.max === 0) return `there are no ${what}`;
      return `there are at least ${item.min ?? 0} ${what}`;
    }
    case "manual":
      return `a person reviews it (${item.reason})`;
  }
}

function fit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** The value a fix sets, when one value is right for every instance. */
function fixValue(item: Extract<HardeningItem, { kind: "property" }>): string | null {
  const rule = item.rule;
  switch (rule.op) {
    case "eq":
      return rule.value;
    case "one_of":
      return rule.values[0] ?? null;
    case "max":
    case "min":
      return String(rule.value);
    case "range":
      return String(rule.max);
    case "blank":
      return "";
    default:
      return null;
  }
}

function propertyType(value: string): string {
  if (value === "true" || value === "false") return "boolean";
  if (/^-?[0-9]+$/.test(value)) return "integer";
  return "string";
}

function js(value: string): string {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

function propertyScript(name: string, valueExpr: string, type: string): string {
  return [
    `(function () {`,
    `  var name = ${js(name)};`,
    `  var gr = new GlideRecord('sys_properties');`,
    `  if (!gr.get('name', name)) {`,
    `    gr.initialize();`,
    `    gr.setValue('name', name);`,
    `    gr.setValue('type', ${js(type)});`,
    `  }`,
    `  var current = gr.isNewRecord() ? '' : String(gr.getValue('value') || '');`,
    `  var value = ${valueExpr};`,
    `  gr.setValue('value', value);`,
    `  if (gr.isNewRecord()) gr.insert(); else gr.update();`,
    `  gs.info(name + ' set to ' + value);`,
    `})();`,
  ].join("\n");
}

function itemScript(item: HardeningItem): string | null {
  switch (item.kind) {
    case "property": {
      const rule = item.rule;
      if (rule.op === "contains_all") {
        const add = `[${rule.values.map(js).join(", ")}]`;
        return propertyScript(
          item.name,
          `current.split(',').map(function (x) { return x.trim(); }).filter(function (x) { return x; })` +
            `.concat(${add}).filter(function (x, i, a) { return a.indexOf(x) === i; }).join(',')`,
          "string",
        );
      }
      if (rule.op === "subset_of") {
        const keep = `[${rule.values.map(js).join(", ")}]`;
        return propertyScript(
          item.name,
          `current.split(',').map(function (x) { return x.trim(); })` +
            `.filter(function (x) { return ${keep}.indexOf(x) >= 0; }).join(',')`,
          "string",
        );
      }
      const value = fixValue(item);
      if (value === null) return null;
      return propertyScript(item.name, js(value), propertyType(value));
    }
    case "plugin":
      return [
        `// Plugin activation can take minutes; run it outside business hours.`,
        `new GlidePluginManager().activatePlugin(${js(item.id)});`,
      ].join("\n");
    case "script_action":
      return [
        `var gr = new GlideRecord('sysevent_script_action');`,
        `if (gr.get(${js(item.anyOf[0]!)})) {`,
        `  gr.setValue('active', true);`,
        `  gr.update();`,
        `}`,
      ].join("\n");
    case "record":
      return [
        `var gr = new GlideRecord(${js(item.table)});`,
        `if (gr.get(${js(item.sysId)})) {`,
        `  gr.setValue('active', ${item.expect === "active" ? "true" : "false"});`,
        `  gr.update();`,
        `}`,
      ].join("\n");
    default:
      return null;
  }
}

function itemSteps(item: HardeningItem): string[] {
  switch (item.kind) {
    case "property": {
      const value = fixValue(item);
      const target = value === null
        ? describeRule(item.rule)
        : value === ""
        ? "an empty value"
        : `"${value}"`;
      return [
        `Open System Properties (sys_properties_list.do) and filter on Name = ${item.name}.`,
        `If no record exists, create one with that name; set Value to ${target} and save.`,
      ];
    }
    case "property_pattern":
      return [
        `Open System Properties (sys_properties_list.do) and filter on Name starts with ${
          item.like.replace(/%$/, "")
        }.`,
        `Set every listed property to ${describeRule(item.rule)}.`,
      ];
    case "plugin":
      return [
        `Open System Definition > Plugins (v_plugin_list.do) and search for ID ${item.id}.`,
        `Activate the plugin (some plugins must be requested from ServiceNow support).`,
      ];
    case "script_action":
      return [
        `Open System Policy > Events > Script Actions (sysevent_script_action_list.do).`,
        `Open the record with sys_id ${item.anyOf.join(" or ")} and select Active.`,
      ];
    case "record":
      return item.expect === "active"
        ? [`Open ${item.table}.do?sys_id=${item.sysId} and select Active.`]
        : [
          `Open ${item.table}.do?sys_id=${item.sysId} and clear Active (or delete the record if it is not needed).`,
        ];
    case "record_count":
      return item.max === 0
        ? [`Review the records of ${item.table}_list.do and remove those that are not needed.`]
        : [
          `Populate ${item.table} so that it holds at least ${item.min ?? 0} ${
            item.activeOnly ? "active " : ""
          }records.`,
        ];
    case "manual":
      return [`Review the setting manually: ${item.reason}`];
  }
}

function tablesOf(setting: HardeningSetting): TableRequirement[] {
  const fields = new Map<string, Set<string>>();
  const add = (table: string, names: string[]) => {
    const set = fields.get(table) ?? new Set<string>();
    for (const n of names) set.add(n);
    fields.set(table, set);
  };
  for (const item of setting.items) {
    const table = itemTable(item);
    if (table === null) continue;
    if (item.kind === "property" || item.kind === "property_pattern") add(table, ["name", "value"]);
    else if (item.kind === "plugin") add(table, ["id", "active"]);
    else add(table, ["active"]);
  }
  return [...fields].map(([table, names]) => ({ table, fields: [...names].sort() }));
}

/**
 * The check of one hardening setting.
 *
 * @param setting the setting
 * @returns the check, without framework mappings (the catalog adds them)
 */
export function hardeningCheck(setting: HardeningSetting): Check {
  const riskScore = setting.risk ?? setting.riskEstimate ?? 5;
  const requirement = setting.items.map(describeItem).join("; and ");
  const where = setting.row === null ? "curated setting" : `hardening reference row ${setting.row}`;
  const kind = setting.source === "security_center"
    ? "Security Center hardening setting"
    : setting.source === "legacy"
    ? `Legacy hardening setting (${
      setting.docStatus ?? "removed from Security Center"
    }; not in the Security Center score)`
    : "Hardening setting (not scored by Security Center)";
  const description = fit(
    kind +
      ` "${setting.title}" (${setting.category}; ${where}). Complies when ${requirement}.`,
    400,
  );
  const rated = setting.risk === null
    ? `Security Center gives no risk score; estimated ${riskScore.toFixed(1)}.`
    : `Security Center risk ${setting.risk.toFixed(1)} (${severityOf(setting.risk)}).`;
  const risk = fit(
    setting.riskText
      ? `${setting.riskText}. ${rated}`
      : `A value other than the recommended one weakens the instance's ${setting.category.toLowerCase()} hardening. ${rated}`,
    400,
  );
  const code: RemediationCode[] = setting.items.map(itemScript).filter((s): s is string =>
    s !== null
  )
    .map((s) => ({ kind: "background_script", language: "javascript", code: s }));
  const fixable = setting.items.every((i) => i.kind !== "manual");
  return {
    id: setting.checkId,
    title: setting.title,
    area: "hardening",
    family: "hardening",
    severity: severityOf(riskScore),
    riskScore,
    description,
    risk,
    remediation: {
      summary: fixable
        ? `Bring the setting to the recommended value: ${fit(requirement, 300)}.`
        : "Review this setting by hand; it cannot be judged from synced data.",
      steps: [
        ...setting.items.flatMap(itemSteps),
        ...(fixable
          ? ["Test in a sub-production instance first and capture the change in an update set."]
          : []),
      ],
      code,
    },
    references: [
      SC_REFERENCE,
      HARDENING_GUIDE,
      ...(setting.scan
        ? [{ ...SCAN_REFERENCE, title: `${SCAN_REFERENCE.title} (sn_${setting.scan})` }]
        : []),
    ],
    resourceType: itemTable(setting.items[0]!) ?? "sys_properties",
    parameters: [],
    controls: controlsOf(setting),
    tables: tablesOf(setting),
    evaluator: { kind: "hardening" },
    hardening: setting,
    frameworks: [],
  };
}

/** One check per hardening setting, in data-file order. */
export const HARDENING_CHECKS: readonly Check[] = HARDENING_SETTINGS.map(hardeningCheck);
