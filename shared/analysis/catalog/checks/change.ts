/**
 * Change management checks (docs/servicenow/controls.md#change-management, C1–C13).
 *
 * @module
 */

import { behavioural, REF } from "../_define.ts";
import type { Check } from "../types.ts";
import {
  daysBefore,
  f,
  intParam,
  isBlank,
  isTrue,
  listParam,
  NOW,
  records,
  textParam,
} from "./_sql.ts";

/** Approved approval rows: `change_id`, `approver`, `decided_on` (text). */
const APPROVED = `approved as (
  select coalesce(nullif(a.data ->> 'sysapproval', ''), a.data ->> 'document_id') as change_id,
         a.data ->> 'approver' as approver, a.data ->> 'sys_updated_on' as decided_on
  from ${records("sysapproval_approver")} a
  where a.data ->> 'state' = 'approved'
)`;
const APPROVAL_FIELDS = ["sysapproval", "document_id", "approver", "state"];

const CHANGE_EVIDENCE =
  `'number', c.data ->> 'number', 'type', c.data ->> 'type', 'state', c.data ->> 'state'`;

const REVIEW_STEPS = [
  "Open the change (change_request.do?sys_id=<resource>) and review its approvals, tasks and work notes.",
  "Record the exception or the corrective action in the change, and fix the workflow or approval rule that allowed it.",
];

const NORMAL_OR_EMERGENCY = `c.data ->> 'type' in ('normal', 'emergency')`;

/** Change management checks. */
export const CHANGE_CHECKS: readonly Check[] = [
  behavioural({
    id: "change_requester_self_approved",
    title: "Changes approved by their own requester",
    area: "change",
    severity: "high",
    riskScore: 7.5,
    description:
      "Changes with an approved sysapproval_approver row whose approver is the change's requested_by or opened_by user.",
    risk:
      "Self-approval removes the independent review that change control exists for (SoD; SOX program change, AC-5, CM-3).",
    remediation: {
      summary: "Exclude the requester from the approver list in the change approval rules.",
      steps: [
        ...REVIEW_STEPS,
        "Add a condition to the approval policy or flow that skips the requester and opener.",
      ],
    },
    references: [REF.changeStates],
    resourceType: "change_request",
    controls: ["C1"],
    tables: {
      change_request: ["number", "type", "state", "requested_by", "opened_by"],
      sysapproval_approver: APPROVAL_FIELDS,
    },
    sql: `
with ${APPROVED}
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}, 'requested_by', min(c.data ->> 'requested_by'),
                          'opened_by', min(c.data ->> 'opened_by'),
                          'self_approvers', jsonb_agg(distinct ap.approver)) as evidence
from ${records("change_request")} c
join approved ap on ap.change_id = c.sys_id
where ap.approver <> '' and (ap.approver = c.data ->> 'requested_by' or ap.approver = c.data ->> 'opened_by')
group by c.sys_id, c.data ->> 'number', c.data ->> 'type', c.data ->> 'state'
order by c.sys_id`,
  }),
  behavioural({
    id: "change_implementer_approved",
    title: "Changes approved by their implementer",
    area: "change",
    severity: "high",
    riskScore: 7.5,
    description:
      "Changes with an approved approval whose approver is the change's assigned_to or the assigned_to of one of its change tasks.",
    risk:
      "The person doing the work signs it off, so nobody independent checked the risk or the plan (AC-5, CM-5).",
    remediation: {
      summary: "Make approval rules exclude the assignees of the change and its tasks.",
      steps: REVIEW_STEPS,
    },
    resourceType: "change_request",
    controls: ["C2"],
    tables: {
      change_request: ["number", "type", "state", "assigned_to"],
      change_task: ["change_request", "assigned_to"],
      sysapproval_approver: APPROVAL_FIELDS,
    },
    // The change's own assignee decides; task assignees (change_task, absent
    // without the tasks plugin or ACL) only add cases.
    optionalTables: ["change_task"],
    evidenceOnly: { change_request: ["number", "type", "state"] },
    // Approvals are matched to implementers first (user references only); the
    // few changes that hit are then read for their evidence.
    sql: `
with ${APPROVED},
implementers as (
  select c.sys_id as change_id, c.data ->> 'assigned_to' as user_id from ${
      records("change_request")
    } c
  union
  select t.data ->> 'change_request', t.data ->> 'assigned_to' from ${records("change_task")} t
),
hits as materialized (
  select ap.change_id, jsonb_agg(distinct ap.approver) as approvers
  from approved ap
  join implementers i on i.change_id = ap.change_id and i.user_id = ap.approver
  where ap.approver <> ''
  group by ap.change_id
)
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}, 'assigned_to', c.data ->> 'assigned_to',
                          'implementer_approvers', h.approvers) as evidence
from ${records("change_request")} c
join hits h on h.change_id = c.sys_id
where c.sys_id = any (array(select change_id from hits))
order by c.sys_id`,
  }),
  behavioural({
    id: "change_requester_is_implementer",
    title: "Changes implemented by their requester",
    area: "change",
    severity: "low",
    riskScore: 3.7,
    description: "Changes whose requested_by is set and equals assigned_to (weaker SoD signal).",
    risk:
      "When the requester implements their own change, only the approval stands between an idea and production.",
    remediation: {
      summary:
        "Assign implementation to someone other than the requester where the change's risk warrants it.",
      steps: REVIEW_STEPS,
    },
    resourceType: "change_request",
    controls: ["C3"],
    tables: { change_request: ["number", "type", "state", "requested_by", "assigned_to"] },
    sql: `
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}, 'requested_by', c.data ->> 'requested_by') as evidence
from ${records("change_request")} c
where ${f("c", "requested_by")} <> '' and c.data ->> 'requested_by' = c.data ->> 'assigned_to'
order by c.sys_id`,
  }),
  behavioural({
    id: "change_implemented_without_approval",
    title: "Normal or emergency changes implemented without approval",
    area: "change",
    severity: "critical",
    riskScore: 9.1,
    description:
      "Normal or emergency changes in Implement (−1), Review (0) or Closed (3) whose approval is not approved or that have no approved approver row.",
    risk:
      "Unapproved changes reached production: the core program-change control failed (SOX PC, CM-3, SOC 2 CC8.1).",
    remediation: {
      summary:
        "Have the change retroactively reviewed, and block the Implement state until approval is granted.",
      steps: [
        ...REVIEW_STEPS,
        "Check the change model's state transition conditions require approval = approved.",
      ],
    },
    references: [REF.changeStates],
    resourceType: "change_request",
    controls: ["C4"],
    tables: {
      change_request: ["number", "type", "state", "approval"],
      sysapproval_approver: APPROVAL_FIELDS,
    },
    // The failing changes first; their approvals are then counted once, in a
    // grouped join (a count per row would rescan every approval for each).
    sql: `
with ${APPROVED},
failing as materialized (
  select c.sys_id, c.data from ${records("change_request")} c
  where ${NORMAL_OR_EMERGENCY} and c.data ->> 'state' in ('-1', '0', '3')
    and (${
      f("c", "approval")
    } <> 'approved' or not exists (select 1 from approved ap where ap.change_id = c.sys_id))
),
approved_count as (
  select ap.change_id, count(*) as n from approved ap
  where ap.change_id = any (array(select sys_id from failing))
  group by ap.change_id
)
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}, 'approval', c.data ->> 'approval',
                          'approved_approvals', coalesce(n.n, 0)) as evidence
from failing c
left join approved_count n on n.change_id = c.sys_id
order by c.sys_id`,
  }),
  behavioural({
    id: "change_flagged_unauthorized",
    title: "Changes flagged as unauthorized",
    area: "change",
    severity: "high",
    riskScore: 8.1,
    description: "Changes with unauthorized = true, whatever their type or state.",
    risk:
      "The platform itself recorded a change made outside the process; each one needs an explanation for the auditor.",
    remediation: {
      summary: "Investigate each unauthorized change and document the outcome.",
      steps: REVIEW_STEPS,
    },
    resourceType: "change_request",
    controls: ["C4"],
    tables: { change_request: ["number", "type", "state", "unauthorized"] },
    sql: `
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}) as evidence
from ${records("change_request")} c
where ${isTrue("c", "unauthorized")}
order by c.sys_id`,
  }),
  behavioural({
    id: "change_approved_after_work_started",
    title: "Changes approved only after work started",
    area: "change",
    severity: "high",
    riskScore: 7.1,
    description:
      "Changes with a work_start whose earliest approved approval (its sys_updated_on) is later than work_start.",
    risk: "Work began before anyone authorized it; the approval is a formality after the fact.",
    remediation: {
      summary: "Require approval before the Implement state and before work_start can be set.",
      steps: REVIEW_STEPS,
    },
    resourceType: "change_request",
    controls: ["C5"],
    tables: {
      change_request: ["number", "type", "state", "work_start"],
      sysapproval_approver: [...APPROVAL_FIELDS, "sys_updated_on"],
    },
    sql: `
with ${APPROVED},
first_approval as (
  select ap.change_id, min(public.sn_datetime(ap.decided_on)) as approved_at from approved ap group by ap.change_id
)
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}, 'work_start', c.data ->> 'work_start',
                          'first_approval', to_char(fa.approved_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS')) as evidence
from ${records("change_request")} c
join first_approval fa on fa.change_id = c.sys_id
where ${f("c", "work_start")} <> '' and fa.approved_at > public.sn_datetime(c.data ->> 'work_start')
order by c.sys_id`,
  }),
  behavioural({
    id: "change_plan_missing",
    title: "Changes missing an implementation, backout or test plan",
    area: "change",
    severity: "medium",
    riskScore: 5.9,
    description:
      "Normal or emergency changes whose implementation_plan, backout_plan or test_plan is shorter than the minimum length after trimming.",
    risk: "Without a tested plan and a way back, a failed change turns into an outage (CM-3(2)).",
    remediation: {
      summary: "Make the three plans mandatory before the Assess state.",
      steps: [
        ...REVIEW_STEPS,
        "Add a data policy requiring the plans on normal and emergency changes.",
      ],
    },
    resourceType: "change_request",
    parameters: [{
      name: "min_length",
      kind: "integer",
      description: "A plan shorter than this many characters after trimming counts as missing.",
      default: 10,
      min: 1,
      max: 10000,
    }],
    controls: ["C6"],
    tables: {
      change_request: [
        "number",
        "type",
        "state",
        "implementation_plan",
        "backout_plan",
        "test_plan",
      ],
    },
    sql: `
with plans as (
  select c.sys_id, c.data,
         char_length(regexp_replace(${
      f("c", "implementation_plan")
    }, '^[[:space:]]+|[[:space:]]+$', '', 'g')) as impl,
         char_length(regexp_replace(${
      f("c", "backout_plan")
    }, '^[[:space:]]+|[[:space:]]+$', '', 'g')) as backout,
         char_length(regexp_replace(${
      f("c", "test_plan")
    }, '^[[:space:]]+|[[:space:]]+$', '', 'g')) as test
  from ${records("change_request")} c
  where ${NORMAL_OR_EMERGENCY}
)
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}, 'implementation_plan_length', c.impl,
                          'backout_plan_length', c.backout, 'test_plan_length', c.test) as evidence
from plans c
where least(c.impl, c.backout, c.test) < ${intParam("min_length")}
order by c.sys_id`,
  }),
  behavioural({
    id: "change_outside_planned_window",
    title: "Changes implemented outside their planned window",
    area: "change",
    severity: "medium",
    riskScore: 5.3,
    description:
      "Changes whose actual work_start is before the planned start_date, or whose work_end is after the planned end_date.",
    risk:
      "Work outside the approved window escapes the conflict and blackout checks the window was approved against.",
    remediation: {
      summary: "Re-plan the change (and re-approve it) before working outside the window.",
      steps: REVIEW_STEPS,
    },
    resourceType: "change_request",
    controls: ["C7"],
    tables: {
      change_request: [
        "number",
        "type",
        "state",
        "start_date",
        "end_date",
        "work_start",
        "work_end",
      ],
    },
    sql: `
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}, 'start_date', c.data ->> 'start_date', 'end_date', c.data ->> 'end_date',
                          'work_start', c.data ->> 'work_start', 'work_end', c.data ->> 'work_end') as evidence
from ${records("change_request")} c
where (${f("c", "work_start")} <> '' and ${f("c", "start_date")} <> ''
       and public.sn_datetime(c.data ->> 'work_start') < public.sn_datetime(c.data ->> 'start_date'))
   or (${f("c", "work_end")} <> '' and ${f("c", "end_date")} <> ''
       and public.sn_datetime(c.data ->> 'work_end') > public.sn_datetime(c.data ->> 'end_date'))
order by c.sys_id`,
  }),
  behavioural({
    id: "change_schedule_conflict",
    title: "Changes outside the maintenance schedule or in conflict",
    area: "change",
    severity: "medium",
    riskScore: 5.3,
    description: "Changes with outside_maintenance_schedule = true or conflict_status = Conflict.",
    risk:
      "Changes that collide with blackout windows or other changes are a frequent cause of outages (sn_SE10308–10311).",
    remediation: {
      summary: "Resolve the conflict or move the change into a maintenance window.",
      steps: REVIEW_STEPS,
    },
    references: [REF.scanSecurity],
    resourceType: "change_request",
    controls: ["C7"],
    tables: {
      change_request: [
        "number",
        "type",
        "state",
        "outside_maintenance_schedule",
        "conflict_status",
      ],
    },
    sql: `
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}, 'outside_maintenance_schedule', c.data ->> 'outside_maintenance_schedule',
                          'conflict_status', c.data ->> 'conflict_status') as evidence
from ${records("change_request")} c
where ${isTrue("c", "outside_maintenance_schedule")} or c.data ->> 'conflict_status' = 'Conflict'
order by c.sys_id`,
  }),
  behavioural({
    id: "change_emergency_without_review",
    title: "Closed emergency changes without a post-implementation review",
    area: "change",
    severity: "medium",
    riskScore: 6.1,
    description:
      "Emergency changes in state Closed (3) with an empty review_status or blank review_comments.",
    risk:
      "Emergency changes skip normal approval; the after-the-fact review is what keeps the emergency path from becoming a bypass.",
    remediation: {
      summary: "Complete the post-implementation review of each emergency change.",
      steps: [
        ...REVIEW_STEPS,
        "Make review status and comments mandatory when closing emergency changes.",
      ],
    },
    resourceType: "change_request",
    controls: ["C8"],
    tables: { change_request: ["number", "type", "state", "review_status", "review_comments"] },
    sql: `
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}, 'review_status', c.data ->> 'review_status') as evidence
from ${records("change_request")} c
where c.data ->> 'type' = 'emergency' and c.data ->> 'state' = '3'
  and (${f("c", "review_status")} = '' or ${isBlank("c", "review_comments")})
order by c.sys_id`,
  }),
  behavioural({
    id: "change_emergency_ratio_high",
    title: "Share of emergency changes above the threshold",
    area: "change",
    severity: "medium",
    riskScore: 4.3,
    description:
      "Emergency changes as a share of all changes created in the window (C8 metric); above the threshold fails.",
    risk: "A high emergency rate means the normal approval path is being bypassed routinely.",
    remediation: {
      summary:
        "Find why changes are raised as emergencies and move recurring ones to standard or normal changes.",
      steps: [
        "Group the window's emergency changes by assignment group and reason; agree corrective actions with the CAB.",
      ],
    },
    resourceType: "change_request",
    parameters: [
      {
        name: "threshold",
        kind: "number",
        description: "Largest acceptable share of emergency changes (0–1).",
        default: 0.1,
        min: 0,
        max: 1,
      },
      {
        name: "days",
        kind: "integer",
        description: "Window: changes created in the last this many days.",
        default: 90,
        min: 1,
        max: 3650,
      },
    ],
    returns: "all",
    tables: { change_request: ["type", "sys_created_on"] },
    sql: `
with window_changes as (
  select c.data ->> 'type' as type from ${records("change_request")} c
  where public.sn_datetime(c.data ->> 'sys_created_on') >= ${daysBefore(intParam("days"))}
)
select 'emergency_ratio' as resource_key, 'change_request' as table_name, null::text as sys_id,
       case when count(*) > 0 and (count(*) filter (where w.type = 'emergency'))::numeric / count(*) > ${
      intParam("threshold")
    } then 'FAIL' else 'PASS' end as status,
       jsonb_build_object('emergency_changes', count(*) filter (where w.type = 'emergency'), 'changes', count(*),
                          'ratio', case when count(*) = 0 then 0
                                        else round((count(*) filter (where w.type = 'emergency'))::numeric / count(*), 4) end,
                          'threshold', ${intParam("threshold")}, 'window_days', ${
      intParam("days")
    }) as evidence
from window_changes w`,
  }),
  behavioural({
    id: "change_closed_unsuccessful",
    title: "Changes closed as unsuccessful",
    area: "change",
    severity: "low",
    riskScore: 3.9,
    description: "Changes with close_code = unsuccessful (failed or backed-out changes).",
    risk:
      "Failed changes point at weak testing or planning; auditors expect each to have a follow-up.",
    remediation: {
      summary: "Review each failed change and link the problem record that tracks its cause.",
      steps: REVIEW_STEPS,
    },
    resourceType: "change_request",
    controls: ["C9"],
    tables: { change_request: ["number", "type", "state", "close_code"] },
    sql: `
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}, 'close_code', c.data ->> 'close_code') as evidence
from ${records("change_request")} c
where c.data ->> 'close_code' = 'unsuccessful'
order by c.sys_id`,
  }),
  behavioural({
    id: "change_caused_incident",
    title: "Changes that caused incidents",
    area: "change",
    severity: "low",
    riskScore: 3.9,
    description:
      "Changes referenced by the caused_by field of at least one incident (feeds the change failure rate).",
    risk: "Changes that cause incidents show gaps in testing and impact analysis.",
    remediation: {
      summary: "Run a post-incident review for each change and track its actions.",
      steps: REVIEW_STEPS,
    },
    resourceType: "change_request",
    controls: ["C9"],
    tables: { change_request: ["number", "type", "state"], incident: ["number", "caused_by"] },
    sql: `
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}, 'incidents', count(*),
                          'sample_incidents', (array_agg(i.data ->> 'number' order by i.data ->> 'number'))[1:10]) as evidence
from ${records("change_request")} c
join ${records("incident")} i on i.data ->> 'caused_by' = c.sys_id
group by c.sys_id, c.data ->> 'number', c.data ->> 'type', c.data ->> 'state'
order by c.sys_id`,
  }),
  behavioural({
    id: "change_cab_required_not_held",
    title: "Changes that required a CAB that never met",
    area: "change",
    severity: "medium",
    riskScore: 5.9,
    description:
      "Changes with cab_required = true, no cab_date_time, that went past Authorize (Scheduled, Implement, Review or Closed).",
    risk:
      "High-risk changes skipped the advisory board review their own risk assessment asked for.",
    remediation: {
      summary: "Hold (or record) the CAB review before scheduling such changes.",
      steps: REVIEW_STEPS,
    },
    resourceType: "change_request",
    controls: ["C10"],
    tables: { change_request: ["number", "type", "state", "cab_required", "cab_date_time"] },
    sql: `
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}) as evidence
from ${records("change_request")} c
where ${isTrue("c", "cab_required")} and ${f("c", "cab_date_time")} = ''
  and c.data ->> 'state' in ('-2', '-1', '0', '3')
order by c.sys_id`,
  }),
  behavioural({
    id: "change_closed_without_evidence",
    title: "Changes closed without implementation evidence",
    area: "change",
    severity: "medium",
    riskScore: 4.3,
    description: "Closed changes (state 3) with no work_start or blank close_notes.",
    risk:
      "Without the actual start and closure notes there is no evidence the change was implemented as approved.",
    remediation: {
      summary: "Make work start and close notes mandatory when closing a change.",
      steps: REVIEW_STEPS,
    },
    resourceType: "change_request",
    controls: ["C11"],
    tables: { change_request: ["number", "type", "state", "work_start", "close_notes"] },
    sql: `
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}, 'work_start', c.data ->> 'work_start') as evidence
from ${records("change_request")} c
where c.data ->> 'state' = '3' and (${f("c", "work_start")} = '' or ${isBlank("c", "close_notes")})
order by c.sys_id`,
  }),
  behavioural({
    id: "change_update_set_without_change",
    title: "Completed update sets not linked to a change",
    area: "change",
    severity: "medium",
    riskScore: 6.1,
    description:
      "Update sets in state complete whose name and description contain no change number (CHG followed by seven digits by default).",
    risk: "Platform configuration moved between instances outside change control (CM-3, CM-5).",
    remediation: {
      summary:
        "Name update sets after the change that authorizes them, and raise retroactive changes for the listed sets.",
      steps: [
        "Open each update set, find or raise the authorizing change, and put its number in the name or description.",
      ],
    },
    resourceType: "sys_update_set",
    parameters: [{
      name: "pattern",
      kind: "pattern",
      description:
        "Regular expression of a change number in an update set's name or description (case-sensitive).",
      default: "CHG[0-9]{7}",
      maxLength: 200,
    }],
    controls: ["C12"],
    tables: { sys_update_set: ["name", "description", "state", "sys_updated_by"] },
    sql: `
select u.sys_id as resource_key, 'sys_update_set' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('name', u.data ->> 'name', 'state', u.data ->> 'state',
                          'sys_updated_by', u.data ->> 'sys_updated_by', 'sys_updated_on', u.data ->> 'sys_updated_on') as evidence
from ${records("sys_update_set")} u
where u.data ->> 'state' = 'complete'
  and ${f("u", "name")} !~ ${textParam("pattern")} and ${f("u", "description")} !~ ${
      textParam("pattern")
    }
order by u.sys_id`,
  }),
  behavioural({
    id: "change_update_set_reopened",
    title: "Update sets re-opened after completion",
    area: "change",
    severity: "medium",
    riskScore: 5.3,
    description:
      "Update sets with a sys_audit entry moving state from complete back to in progress.",
    risk:
      "Re-opening a completed set adds changes after it was reviewed, so what ships differs from what was approved.",
    remediation: {
      summary: "Create a new update set for further changes instead of re-opening completed ones.",
      steps: ["Review the changes added after re-opening and cover them with a change record."],
    },
    references: [REF.communityChecks],
    resourceType: "sys_update_set",
    controls: ["C12"],
    rows: { sys_audit: { field: "tablename", values: ["sys_update_set"] } },
    tables: {
      sys_update_set: ["name", "state"],
      sys_audit: [
        "tablename",
        "fieldname",
        "documentkey",
        "oldvalue",
        "newvalue",
        "user",
        "sys_created_on",
      ],
    },
    sql: `
select u.sys_id as resource_key, 'sys_update_set' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('name', min(u.data ->> 'name'), 'reopened', count(*),
                          'last_reopened_by', (array_agg(a.data ->> 'user' order by a.data ->> 'sys_created_on' desc))[1],
                          'last_reopened_on', max(a.data ->> 'sys_created_on')) as evidence
from ${records("sys_audit")} a
join ${records("sys_update_set")} u on u.sys_id = a.data ->> 'documentkey'
where a.data ->> 'tablename' = 'sys_update_set' and a.data ->> 'fieldname' = 'state'
  and a.data ->> 'oldvalue' = 'complete' and a.data ->> 'newvalue' = 'in progress'
group by u.sys_id
order by u.sys_id`,
  }),
  behavioural({
    id: "change_security_config_edit_unapproved",
    title: "Security configuration edited outside an approved change",
    area: "change",
    severity: "high",
    riskScore: 7.5,
    description:
      "sys_audit entries on ACLs, system properties, roles, business rules or script includes whose author was not the assignee of an approved change whose work window (work_start to work_end, or now) covers the edit.",
    risk:
      "Direct production edits to security configuration bypass change control and are a common path for unauthorized access (CM-5, AU-2).",
    remediation: {
      summary:
        "Trace each edit to a change or raise a retroactive one; restrict who can edit security tables in production.",
      steps: [
        "Open the audit entry's record and its history; find the authorizing change or open an incident.",
        "Restrict write access on these tables in production to change implementers.",
      ],
    },
    references: [REF.auditing],
    resourceType: "sys_audit",
    parameters: [{
      name: "tables",
      kind: "string_list",
      description: "Audited tables whose edits must be covered by an approved change.",
      default: [
        "sys_security_acl",
        "sys_properties",
        "sys_user_role",
        "sys_script",
        "sys_script_include",
      ],
      minItems: 1,
      maxItems: 200,
      itemPattern: "^[a-z0-9_]{1,80}$",
    }],
    controls: ["C13"],
    rows: { sys_audit: { field: "tablename", parameter: "tables" } },
    tables: {
      sys_audit: ["tablename", "fieldname", "documentkey", "user", "sys_created_on"],
      change_request: ["number", "approval", "assigned_to", "work_start", "work_end"],
      sys_user: ["user_name"],
    },
    // Only the editors' change windows matter: the users named by the audited
    // edits are found first, then the approved changes assigned to them.
    sql: `
with audited as materialized (
  select a.sys_id, a.data from ${records("sys_audit")} a
  where a.data ->> 'tablename' in ${listParam("tables")}
),
editor as materialized (
  select u.sys_id, u.data from ${records("sys_user")} u
  where u.data ->> 'user_name' in (select a.data ->> 'user' from audited a)
),
windows as (
  select u.data ->> 'user_name' as user_name, c.data ->> 'number' as number,
         public.sn_datetime(c.data ->> 'work_start') as starts,
         case when ${
      f("c", "work_end")
    } = '' then ${NOW} else public.sn_datetime(c.data ->> 'work_end') end as ends
  from ${records("change_request")} c
  join editor u on u.sys_id = c.data ->> 'assigned_to'
  where c.data ->> 'approval' = 'approved' and ${f("c", "work_start")} <> '' and ${
      f("c", "assigned_to")
    } <> ''
)
select a.sys_id as resource_key, 'sys_audit' as table_name, a.sys_id, 'FAIL' as status,
       jsonb_build_object('tablename', a.data ->> 'tablename', 'fieldname', a.data ->> 'fieldname',
                          'documentkey', a.data ->> 'documentkey', 'user', a.data ->> 'user',
                          'sys_created_on', a.data ->> 'sys_created_on') as evidence
from audited a
where not exists (
    select 1 from windows w
    where w.user_name = a.data ->> 'user'
      and public.sn_datetime(a.data ->> 'sys_created_on') between w.starts and w.ends)
order by a.sys_id`,
  }),
  behavioural({
    id: "change_standard_without_template",
    title: "Standard changes without a template",
    area: "change",
    severity: "low",
    riskScore: 3.1,
    description:
      "Changes of type standard with no std_change_producer_version, so no pre-approved template authorizes them.",
    risk:
      "Standard changes skip approval because a template was pre-approved; without one, the change was never authorized.",
    remediation: {
      summary:
        "Raise such changes as normal changes, or create them from an approved standard change template.",
      steps: REVIEW_STEPS,
    },
    resourceType: "change_request",
    tables: { change_request: ["number", "type", "state", "std_change_producer_version"] },
    sql: `
select c.sys_id as resource_key, 'change_request' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object(${CHANGE_EVIDENCE}) as evidence
from ${records("change_request")} c
where c.data ->> 'type' = 'standard' and ${f("c", "std_change_producer_version")} = ''
order by c.sys_id`,
  }),
];
