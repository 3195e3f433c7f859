/**
 * Incident and operations checks (docs/servicenow/controls.md#incidents-and-operations, I1–I7).
 *
 * @module
 */

import { behavioural } from "../_define.ts";
import type { Check, ParameterSpec } from "../types.ts";
import { daysBefore, f, intParam, isTrue, records } from "./_sql.ts";

const INCIDENT_EVIDENCE =
  `'number', i.data ->> 'number', 'priority', i.data ->> 'priority', 'state', i.data ->> 'state'`;

const INCIDENT_STEPS = [
  "Open the incident (incident.do?sys_id=<resource>) and review its history.",
  "Correct the record and address the process gap with the incident manager.",
];

function targetHours(priority: number, hours: number): ParameterSpec {
  return {
    name: `p${priority}_target_hours`,
    kind: "integer",
    description: `Resolution target for priority ${priority} incidents, in hours.`,
    default: hours,
    min: 1,
    max: 8760,
  };
}

/** Incident and operations checks. */
export const INCIDENT_CHECKS: readonly Check[] = [
  behavioural({
    id: "incident_major_without_problem",
    title: "Resolved P1 and P2 incidents without a problem record",
    area: "incident",
    severity: "medium",
    riskScore: 4.3,
    description:
      "Incidents of priority 1 or 2 in state Resolved (6) or Closed (7) with no linked problem_id.",
    risk: "Major incidents without root-cause analysis tend to recur (ISO 27001 A.5.27, IR-4).",
    remediation: {
      summary: "Open or link a problem for each major incident.",
      steps: INCIDENT_STEPS,
    },
    resourceType: "incident",
    controls: ["I1"],
    tables: { incident: ["number", "priority", "state", "problem_id"] },
    sql: `
select i.sys_id as resource_key, 'incident' as table_name, i.sys_id, 'FAIL' as status,
       jsonb_build_object(${INCIDENT_EVIDENCE}) as evidence
from ${records("incident")} i
where i.data ->> 'priority' in ('1', '2') and i.data ->> 'state' in ('6', '7') and ${
      f("i", "problem_id")
    } = ''
order by i.sys_id`,
  }),
  behavioural({
    id: "incident_sla_breached",
    title: "Breached incident SLAs",
    area: "incident",
    severity: "low",
    riskScore: 3.7,
    description: "task_sla records with has_breached = true whose task is an incident.",
    risk: "Breached SLAs show incidents not handled in the committed time (SOC 2 CC7.4).",
    remediation: {
      summary: "Review breaches with the assignment groups and fix recurring causes.",
      steps: INCIDENT_STEPS,
    },
    resourceType: "task_sla",
    controls: ["I2"],
    tables: { task_sla: ["task", "sla", "has_breached", "stage"], incident: ["number"] },
    sql: `
select s.sys_id as resource_key, 'task_sla' as table_name, s.sys_id, 'FAIL' as status,
       jsonb_build_object('task', s.data ->> 'task', 'incident', i.data ->> 'number', 'sla', s.data ->> 'sla',
                          'stage', s.data ->> 'stage') as evidence
from ${records("task_sla")} s
join ${records("incident")} i on i.sys_id = s.data ->> 'task'
where ${isTrue("s", "has_breached")}
order by s.sys_id`,
  }),
  behavioural({
    id: "incident_record_reopened",
    title: "Reopened incidents",
    area: "incident",
    severity: "low",
    riskScore: 2.2,
    description: "Incidents with reopen_count greater than zero.",
    risk:
      "Reopened incidents were closed before the issue was fixed, which hides the real resolution time.",
    remediation: {
      summary: "Review reopened incidents for premature closure.",
      steps: INCIDENT_STEPS,
    },
    resourceType: "incident",
    controls: ["I3"],
    tables: { incident: ["number", "priority", "state", "reopen_count"] },
    sql: `
select i.sys_id as resource_key, 'incident' as table_name, i.sys_id, 'FAIL' as status,
       jsonb_build_object(${INCIDENT_EVIDENCE}, 'reopen_count', i.data ->> 'reopen_count') as evidence
from ${records("incident")} i
where coalesce(public.sn_int(i.data ->> 'reopen_count'), 0) > 0
order by i.sys_id`,
  }),
  behavioural({
    id: "incident_resolution_over_target",
    title: "Incidents resolved later than the target for their priority",
    area: "incident",
    severity: "low",
    riskScore: 3.1,
    description:
      "Incidents with opened_at and resolved_at whose resolution time exceeds the target for their priority (defaults: P1 4 h, P2 24 h, P3 72 h, P4 168 h, P5 720 h).",
    risk:
      "Slow resolution of high-priority incidents extends outages and exposure (SOC 2 CC7.4, SOX ITGC computer operations).",
    remediation: {
      summary: "Review late resolutions by priority and assignment group.",
      steps: INCIDENT_STEPS,
    },
    resourceType: "incident",
    parameters: [
      targetHours(1, 4),
      targetHours(2, 24),
      targetHours(3, 72),
      targetHours(4, 168),
      targetHours(5, 720),
    ],
    controls: ["I4"],
    tables: { incident: ["number", "priority", "state", "opened_at", "resolved_at"] },
    sql: `
with timed as (
  select i.sys_id, i.data,
         extract(epoch from public.sn_datetime(i.data ->> 'resolved_at') - public.sn_datetime(i.data ->> 'opened_at')) / 3600 as hours,
         case i.data ->> 'priority'
           when '1' then ${intParam("p1_target_hours")} when '2' then ${intParam("p2_target_hours")}
           when '3' then ${intParam("p3_target_hours")} when '4' then ${intParam("p4_target_hours")}
           when '5' then ${intParam("p5_target_hours")} end as target
  from ${records("incident")} i
  where ${f("i", "opened_at")} <> '' and ${f("i", "resolved_at")} <> ''
)
select i.sys_id as resource_key, 'incident' as table_name, i.sys_id, 'FAIL' as status,
       jsonb_build_object(${INCIDENT_EVIDENCE}, 'resolution_hours', round(i.hours::numeric, 2), 'target_hours', i.target) as evidence
from timed i
where i.target is not null and i.hours > i.target
order by i.sys_id`,
  }),
  behavioural({
    id: "incident_closed_still_active",
    title: "Closed or canceled incidents still marked active",
    area: "incident",
    severity: "low",
    riskScore: 2.2,
    description:
      "Incidents with active = true in state Closed (7) or Canceled (8) (community data-integrity check).",
    risk: "Inconsistent records distort open-incident reporting and SLA figures.",
    remediation: {
      summary: "Clear Active on the listed incidents and fix the rule that left it set.",
      steps: INCIDENT_STEPS,
    },
    resourceType: "incident",
    controls: ["I5"],
    tables: { incident: ["number", "priority", "state", "active"] },
    sql: `
select i.sys_id as resource_key, 'incident' as table_name, i.sys_id, 'FAIL' as status,
       jsonb_build_object(${INCIDENT_EVIDENCE}) as evidence
from ${records("incident")} i
where ${isTrue("i", "active")} and i.data ->> 'state' in ('7', '8')
order by i.sys_id`,
  }),
  behavioural({
    id: "incident_caused_by_change",
    title: "Incidents caused by changes",
    area: "incident",
    severity: "informational",
    riskScore: 0,
    description:
      "Incidents whose caused_by references a change request (input to the change failure rate).",
    risk:
      "Each one is a failed change in production; the count feeds change success metrics rather than being a defect by itself.",
    remediation: {
      summary: "Make sure each caused-by change has a post-implementation review.",
      steps: INCIDENT_STEPS,
    },
    resourceType: "incident",
    controls: ["I6"],
    tables: { incident: ["number", "priority", "state", "caused_by"] },
    sql: `
select i.sys_id as resource_key, 'incident' as table_name, i.sys_id, 'FAIL' as status,
       jsonb_build_object(${INCIDENT_EVIDENCE}, 'caused_by', i.data ->> 'caused_by') as evidence
from ${records("incident")} i
where ${f("i", "caused_by")} <> ''
order by i.sys_id`,
  }),
  behavioural({
    id: "incident_security_stale",
    title: "Security incidents open for too long",
    area: "incident",
    severity: "high",
    riskScore: 7.1,
    description:
      "Active security incidents (sn_si_incident) opened more than the given number of days ago.",
    risk:
      "A security incident left open means containment or eradication may not have happened (IR-4, IR-5).",
    remediation: {
      summary: "Review each stale security incident with the security operations lead.",
      steps: INCIDENT_STEPS,
    },
    resourceType: "sn_si_incident",
    parameters: [{
      name: "days",
      kind: "integer",
      description: "Active security incidents opened more than this many days ago fail.",
      default: 30,
      min: 1,
      max: 3650,
    }],
    controls: ["I7"],
    tables: { sn_si_incident: ["number", "active", "opened_at", "state", "priority"] },
    sql: `
select i.sys_id as resource_key, 'sn_si_incident' as table_name, i.sys_id, 'FAIL' as status,
       jsonb_build_object(${INCIDENT_EVIDENCE}, 'opened_at', i.data ->> 'opened_at') as evidence
from ${records("sn_si_incident")} i
where ${isTrue("i", "active")} and ${f("i", "opened_at")} <> ''
  and public.sn_datetime(i.data ->> 'opened_at') < ${daysBefore(intParam("days"))}
order by i.sys_id`,
  }),
];
