/**
 * Simulated time: `advanceDataset()` moves an instance's clock forward in steps of at
 * most one hour and applies a deterministic batch of realistic changes per step:
 * logins, new and progressing incidents and changes (with approvals and state
 * audits), hires (new users, memberships, role rows) and terminations (deactivation,
 * membership and role-row deletions with sys_audit_delete), REST transactions and
 * rotation of syslog_transaction older than 30 days. Updates bump sys_updated_on,
 * sys_updated_by and sys_mod_count.
 *
 * @module
 */

import { formatGlideDateTime } from "../../shared/servicenow/query/mod.ts";
import { materializeUserRoles, type UserInfo, type WorldModel, worldOf } from "./generate.ts";
import { CONTROL_PARAMS } from "./params.ts";
import { Random } from "./random.ts";
import type { Dataset, Row } from "./store.ts";

/** What one advance changed, per table. */
export interface AdvanceReport {
  from: string;
  to: string;
  inserted: Record<string, string[]>;
  updated: Record<string, string[]>;
  deleted: Record<string, string[]>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface AdvanceState {
  openIncidents: Set<string>;
  openChanges: Set<string>;
  roleRows: Map<string, string[]>;
  memberRows: Map<string, string[]>;
  slaByTask: Map<string, string[]>;
  approvalsByChange: Map<string, string[]>;
  step: number;
}

const states = new WeakMap<Dataset, AdvanceState>();

function stateOf(ds: Dataset): AdvanceState {
  let s = states.get(ds);
  if (s) return s;
  const inc = ds.table("incident");
  const chg = ds.table("change_request");
  const openIncidents = new Set<string>();
  for (const r of inc.rows) {
    if (["1", "2", "6"].includes(inc.get(r, "state"))) openIncidents.add(r[0]!);
  }
  const openChanges = new Set<string>();
  for (const r of chg.rows) {
    if (
      ["-5", "-4", "-3", "-2", "-1", "0"].includes(chg.get(r, "state")) &&
      chg.get(r, "type") === "normal"
    ) {
      openChanges.add(r[0]!);
    }
  }
  const index = (table: string, column: string) => {
    const t = ds.table(table);
    const col = t.col(column);
    const m = new Map<string, string[]>();
    for (const r of t.rows) (m.get(r[col]!) ?? m.set(r[col]!, []).get(r[col]!)!).push(r[0]!);
    return m;
  };
  s = {
    openIncidents,
    openChanges,
    roleRows: index("sys_user_has_role", "user"),
    memberRows: index("sys_user_grmember", "user"),
    slaByTask: index("task_sla", "task"),
    approvalsByChange: index("sysapproval_approver", "sysapproval"),
    step: 0,
  };
  states.set(ds, s);
  return s;
}

/**
 * Parses a duration: milliseconds as a number, or text like `90s`, `15m`, `6h`, `2d`,
 * `1w`, or ISO 8601 `PT1H30M` / `P2D`.
 *
 * @param d the duration
 * @returns milliseconds
 * @throws when the text is not a duration
 */
export function parseDuration(d: number | string): number {
  if (typeof d === "number") {
    if (!Number.isFinite(d) || d < 0) throw new Error(`Cannot parse duration: ${d}`);
    return d;
  }
  const simple = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(d.trim());
  if (simple) {
    const n = Number(simple[1]);
    const unit = { ms: 1, s: 1000, m: 60_000, h: HOUR, d: DAY, w: 7 * DAY }[simple[2] as "ms"]!;
    return n * unit;
  }
  const iso = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
    d.trim(),
  );
  if (iso && d.trim() !== "P" && d.trim() !== "PT") {
    const [, w, dd, h, m, s] = iso;
    return (Number(w ?? 0) * 7 * DAY) + Number(dd ?? 0) * DAY + Number(h ?? 0) * HOUR +
      Number(m ?? 0) * 60_000 +
      Number(s ?? 0) * 1000;
  }
  throw new Error(`Cannot parse duration "${d}": use e.g. "90s", "6h", "2d" or "PT1H"`);
}

/**
 * Advances a generated dataset's clock and applies the changes of that period.
 *
 * @param ds the dataset (from generateDataset)
 * @param seed the instance's seed (changes are deterministic per seed and history)
 * @param durationMs how far to move
 * @returns what changed
 */
export function advanceDataset(
  ds: Dataset,
  seed: string | number,
  durationMs: number,
): AdvanceReport {
  const from = formatGlideDateTime(ds.now);
  const w = worldOf(ds);
  const st = stateOf(ds);
  ds.beginLog();
  let remaining = Math.floor(durationMs / 1000) * 1000;
  while (remaining > 0) {
    const step = Math.min(HOUR, remaining);
    remaining -= step;
    ds.now = new Date(ds.now.getTime() + step);
    st.step++;
    const rng = new Random(`${seed}:advance:${ds.now.getTime()}:${st.step}`);
    applyStep(ds, w, st, rng, step / HOUR);
  }
  rotateTransactions(ds);
  const log = ds.endLog();
  const rec = (m: Map<string, string[]>) =>
    Object.fromEntries([...m].map(([k, v]) => [k, [...new Set(v)]]));
  const inserted = rec(log.inserted);
  const deleted = rec(log.deleted);
  const updated = rec(log.updated);
  for (const [table, ids] of Object.entries(inserted)) {
    const ins = new Set(ids);
    const del = new Set(deleted[table] ?? []);
    inserted[table] = ids.filter((id) => !del.has(id));
    if (deleted[table]) deleted[table] = deleted[table]!.filter((id) => !ins.has(id));
    if (updated[table]) {
      updated[table] = updated[table]!.filter((id) => !ins.has(id) && !del.has(id));
    }
  }
  for (const [table, ids] of Object.entries(deleted)) {
    const del = new Set(ids);
    if (updated[table]) updated[table] = updated[table]!.filter((id) => !del.has(id));
  }
  const clean = (o: Record<string, string[]>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v.length > 0));
  return {
    from,
    to: formatGlideDateTime(ds.now),
    inserted: clean(inserted),
    updated: clean(updated),
    deleted: clean(deleted),
  };
}

function count(rng: Random, perHour: number, fraction: number): number {
  return Math.floor(perHour * fraction + rng.next());
}

function regularUsers(w: WorldModel): UserInfo[] {
  return [...w.users.values()].filter((u) => u.kind === "regular");
}

function applyStep(
  ds: Dataset,
  w: WorldModel,
  st: AdvanceState,
  rng: Random,
  fraction: number,
): void {
  const users = ds.table("sys_user");
  const userCount = users.size;
  const now = ds.nowText();
  const regular = regularUsers(w);
  const activeRegular = regular.filter((u) =>
    users.get(users.byId.get(u.id)!, "active") === "true"
  );
  const nameOf = (id: string) => w.users.get(id)?.userName ?? "system";
  const cab = new Set(w.cabMembers);
  const requesters = activeRegular.filter((u) => !cab.has(u.id));

  // Logins.
  for (
    let i = count(rng, Math.max(1, userCount * 0.01), fraction);
    i > 0 && activeRegular.length > 0;
    i--
  ) {
    const u = rng.pick(activeRegular);
    const row = users.byId.get(u.id)!;
    ds.update("sys_user", row, {
      last_login_time: now,
      last_login: now.slice(0, 10),
      failed_attempts: "0",
    }, u.userName);
  }

  // Incidents.
  const teams = w.teamGroupIds;
  const members = new Map<string, string[]>();
  for (const u of activeRegular) {
    for (const g of u.groups) {
      if (teams.includes(g)) (members.get(g) ?? members.set(g, []).get(g)!).push(u.id);
    }
  }
  const staffedTeams = [...members.keys()];
  for (
    let i = count(rng, Math.max(1, userCount * 0.0005), fraction);
    i > 0 && staffedTeams.length > 0;
    i--
  ) {
    const caller = rng.pick(activeRegular);
    const impact = rng.pick(["2", "3", "3"]);
    const urgency = rng.pick(["2", "3", "3"]);
    const priority = String(Number(impact) + Number(urgency) - 1);
    const id = rng.sysId();
    ds.insert("incident", {
      sys_id: id,
      number: `INC${String(++w.counters.incident).padStart(7, "0")}`,
      short_description: rng.pick([
        "Email not syncing",
        "VPN disconnects",
        "Laptop slow",
        "Printer offline",
      ]),
      state: "1",
      incident_state: "1",
      active: "true",
      impact,
      urgency,
      priority,
      caller_id: caller.id,
      opened_by: caller.id,
      opened_at: now,
      assignment_group: rng.pick(staffedTeams),
      approval: "not requested",
      made_sla: "true",
      reopen_count: "0",
      upon_approval: "proceed",
      upon_reject: "cancel",
    }, caller.userName);
    st.openIncidents.add(id);
    if (priority !== "5") {
      const sla = ds.table("contract_sla").rows.find((r) =>
        ds.table("contract_sla").get(r, "name").startsWith(`Priority ${priority} `)
      );
      const slaId = rng.sysId();
      st.slaByTask.set(id, [slaId]);
      ds.insert("task_sla", {
        sys_id: slaId,
        task: id,
        sla: sla?.[0] ?? "",
        stage: "in_progress",
        has_breached: "false",
        active: "true",
        start_time: now,
        planned_end_time: formatGlideDateTime(
          new Date(ds.now.getTime() + CONTROL_PARAMS.resolutionTargetHours[priority]! * HOUR),
        ),
        timezone: "GMT",
      });
    }
  }
  const inc = ds.table("incident");
  const open = [...st.openIncidents];
  for (
    let i = count(rng, Math.max(1, userCount * 0.001), fraction);
    i > 0 && open.length > 0;
    i--
  ) {
    const id = rng.pick(open);
    const row = inc.byId.get(id);
    if (!row) {
      st.openIncidents.delete(id);
      continue;
    }
    const state = inc.get(row, "state");
    const group = inc.get(row, "assignment_group");
    const assignee = inc.get(row, "assigned_to") ||
      rng.pick(members.get(group) ?? [activeRegular[0]!.id]);
    if (state === "1") {
      ds.update(
        "incident",
        row,
        { state: "2", incident_state: "2", assigned_to: assignee },
        nameOf(assignee),
      );
    } else if (state === "2") {
      const priority = inc.get(row, "priority");
      const values: Record<string, string> = {
        state: "6",
        incident_state: "6",
        resolved_at: now,
        resolved_by: assignee,
        close_code: "Solution provided",
        close_notes: "Resolved by support.",
      };
      if ((priority === "1" || priority === "2") && inc.get(row, "problem_id") === "") {
        const pid = rng.sysId();
        ds.insert("problem", {
          sys_id: pid,
          number: `PRB${String(++w.counters.problem).padStart(7, "0")}`,
          short_description: "Recurring service disruption",
          state: "101",
          active: "true",
          approval: "not requested",
          assigned_to: assignee,
        }, nameOf(assignee));
        values.problem_id = pid;
      }
      const opened = Date.parse(inc.get(row, "opened_at").replace(" ", "T") + "Z");
      const late = (ds.now.getTime() - opened) >
        (CONTROL_PARAMS.resolutionTargetHours[priority] ?? 720) * HOUR;
      if (late) values.made_sla = "false";
      ds.update("incident", row, values, nameOf(assignee));
      updateSla(ds, st, id, late);
    } else if (state === "6") {
      ds.update("incident", row, {
        state: "7",
        incident_state: "7",
        active: "false",
        closed_at: now,
        closed_by: assignee,
      }, nameOf(assignee));
      st.openIncidents.delete(id);
    }
  }

  // Changes.
  const chg = ds.table("change_request");
  for (
    let i = count(rng, Math.max(0.2, userCount * 0.0001), fraction);
    i > 0 && staffedTeams.length > 0;
    i--
  ) {
    const team = rng.pick(staffedTeams);
    const assignee = rng.pick(members.get(team)!);
    if (requesters.length < 2) break;
    let requester = rng.pick(requesters);
    if (requester.id === assignee) {
      requester = requesters[(requesters.indexOf(requester) + 1) % requesters.length]!;
    }
    const start = ds.now.getTime() + rng.int(2, 5) * DAY;
    const id = rng.sysId();
    ds.insert("change_request", {
      sys_id: id,
      number: `CHG${String(++w.counters.change).padStart(7, "0")}`,
      short_description: rng.pick([
        "Patch database servers",
        "Deploy release",
        "Rotate TLS certificates",
      ]),
      type: "normal",
      state: "-5",
      active: "true",
      priority: "3",
      impact: "3",
      urgency: "3",
      risk: "4",
      opened_at: now,
      opened_by: requester.id,
      requested_by: requester.id,
      assigned_to: assignee,
      assignment_group: team,
      approval: "not requested",
      upon_approval: "proceed",
      upon_reject: "cancel",
      start_date: formatGlideDateTime(new Date(start)),
      end_date: formatGlideDateTime(new Date(start + 4 * HOUR)),
      implementation_plan:
        "1. Notify stakeholders. 2. Apply change per runbook. 3. Verify service health.",
      backout_plan: "Restore previous configuration from backup and restart the affected services.",
      test_plan: "Run smoke tests and monitoring checks for 30 minutes after the change.",
      cab_required: "false",
      conflict_status: "No Conflict",
      outside_maintenance_schedule: "false",
      unauthorized: "false",
      made_sla: "true",
    }, requester.userName);
    st.openChanges.add(id);
  }
  const approvals = ds.table("sysapproval_approver");
  const openChanges = [...st.openChanges];
  for (
    let i = count(rng, Math.max(1, userCount * 0.0003), fraction);
    i > 0 && openChanges.length > 0;
    i--
  ) {
    const id = rng.pick(openChanges);
    const row = chg.byId.get(id);
    if (!row) {
      st.openChanges.delete(id);
      continue;
    }
    const state = chg.get(row, "state");
    const assignee = chg.get(row, "assigned_to");
    const by = nameOf(assignee);
    const start = chg.get(row, "start_date");
    const end = chg.get(row, "end_date");
    const endMs = Date.parse(end.replace(" ", "T") + "Z");
    const move = (to: string, values: Record<string, string> = {}) => {
      ds.update("change_request", row, { state: to, ...values }, by);
      ds.insert("sys_audit", {
        sys_id: rng.sysId(),
        tablename: "change_request",
        fieldname: "state",
        documentkey: id,
        oldvalue: state,
        newvalue: to,
        user: by,
        record_checkpoint: "1",
      }, by);
    };
    const rowsOf = () =>
      (st.approvalsByChange.get(id) ?? []).map((a) => approvals.byId.get(a)).filter((r): r is Row =>
        r !== undefined
      );
    if (state === "-5") move("-4");
    else if (state === "-4") {
      const excluded = new Set([chg.get(row, "requested_by"), chg.get(row, "opened_by"), assignee]);
      const pool = w.cabMembers.filter((u) => !excluded.has(u));
      for (const a of rng.sample(pool, 1)) {
        const aid = rng.sysId();
        (st.approvalsByChange.get(id) ?? st.approvalsByChange.set(id, []).get(id)!).push(aid);
        ds.insert("sysapproval_approver", {
          sys_id: aid,
          approver: a,
          state: "requested",
          sysapproval: id,
          document_id: id,
          source_table: "change_request",
          due_date: start,
        });
      }
      move("-3", { approval: "requested" });
    } else if (state === "-3") {
      if (now < start) {
        for (const a of rowsOf()) {
          ds.update(
            "sysapproval_approver",
            a,
            { state: "approved", approval_source: "email" },
            nameOf(approvals.get(a, "approver")),
          );
        }
        move("-2", { approval: "approved", approval_set: now });
      } else {
        for (const a of rowsOf()) ds.update("sysapproval_approver", a, { state: "not_required" });
        move("4", { approval: "rejected", active: "false" });
        st.openChanges.delete(id);
      }
    } else if (state === "-2") {
      if (now >= start && ds.now.getTime() <= endMs - HOUR) move("-1", { work_start: now });
      else if (ds.now.getTime() > endMs - HOUR) {
        move("4", { active: "false" });
        st.openChanges.delete(id);
      }
    } else if (state === "-1") {
      move("0", { work_end: ds.now.getTime() <= endMs ? now : end });
    } else if (state === "0") {
      move("3", {
        active: "false",
        close_code: "successful",
        close_notes: "Implemented as planned; verification completed.",
        closed_at: now,
        closed_by: assignee,
      });
      st.openChanges.delete(id);
    }
  }

  // Hires and terminations.
  for (let i = count(rng, userCount * 0.00005, fraction); i > 0; i--) hire(ds, w, st, rng);
  for (let i = count(rng, userCount * 0.00005, fraction); i > 0; i--) {
    terminate(ds, st, rng, requesters);
  }

  // REST transactions of the integration account.
  for (let i = count(rng, Math.max(1, userCount * 0.002), fraction); i > 0; i--) {
    ds.insert("syslog_transaction", {
      sys_id: rng.sysId(),
      url: `/api/now/table/${
        rng.pick(["sys_user", "incident", "change_request"])
      }?sysparm_limit=1000`,
      type: "rest",
      response_time: String(rng.int(40, 2000)),
      client_transaction: "false",
      remote_ip: "10.9.8.7",
    }, w.integrationUserName);
  }
}

function updateSla(ds: Dataset, st: AdvanceState, taskId: string, breached: boolean): void {
  const t = ds.table("task_sla");
  for (const id of st.slaByTask.get(taskId) ?? []) {
    const r = t.byId.get(id);
    if (!r) continue;
    ds.update("task_sla", r, {
      has_breached: String(breached),
      stage: "completed",
      active: "false",
      end_time: ds.nowText(),
    });
  }
}

const FIRST = ["alex", "sam", "jordan", "taylor", "casey", "morgan", "riley", "jamie"];
const LAST = ["lane", "quinn", "frost", "hale", "reid", "shaw", "wells", "york"];

function hire(ds: Dataset, w: WorldModel, st: AdvanceState, rng: Random): void {
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const userName = `${first}.${last}.${++w.counters.user}`;
  const id = rng.sysId();
  const now = ds.nowText();
  const emp = w.groupsByName.get("Employees")!.id;
  const team = rng.pick(w.teamGroupIds);
  const u: UserInfo = {
    id,
    userName,
    kind: "regular",
    groups: new Set([emp, team]),
    direct: new Set(),
  };
  w.users.set(id, u);
  ds.insert("sys_user", {
    sys_id: id,
    user_name: userName,
    first_name: first[0]!.toUpperCase() + first.slice(1),
    last_name: last[0]!.toUpperCase() + last.slice(1),
    name: `${first[0]!.toUpperCase() + first.slice(1)} ${last[0]!.toUpperCase() + last.slice(1)}`,
    email: `${userName}@${w.domain}`,
    active: "true",
    locked_out: "false",
    failed_attempts: "0",
    last_login: now.slice(0, 10),
    last_login_time: now,
    last_password_change: now,
    password_needs_reset: "false",
    web_service_access_only: "false",
    internal_integration_user: "false",
    enable_multifactor_authn: "true",
    employee_number: String(100000 + w.counters.user),
    time_zone: "GMT",
    notification: "2",
  }, "admin");
  const memberIds: string[] = [];
  for (const g of u.groups) {
    const mid = rng.sysId();
    memberIds.push(mid);
    ds.insert("sys_user_grmember", { sys_id: mid, user: id, group: g }, "admin");
  }
  st.memberRows.set(id, memberIds);
  const ids = materializeUserRoles(ds, w, u, rng, now);
  st.roleRows.set(id, ids);
}

function terminate(
  ds: Dataset,
  st: AdvanceState,
  rng: Random,
  candidates: UserInfo[],
): void {
  if (candidates.length === 0) return;
  const u = rng.pick(candidates);
  const users = ds.table("sys_user");
  const row = users.byId.get(u.id)!;
  if (users.get(row, "active") !== "true") return;
  ds.update("sys_user", row, { active: "false", locked_out: "true" }, "admin");
  ds.insert("sys_audit", {
    sys_id: rng.sysId(),
    tablename: "sys_user",
    fieldname: "active",
    documentkey: u.id,
    oldvalue: "true",
    newvalue: "false",
    user: "admin",
    record_checkpoint: "1",
  }, "admin");
  for (
    const [table, rows] of [["sys_user_grmember", st.memberRows], [
      "sys_user_has_role",
      st.roleRows,
    ]] as const
  ) {
    for (const rid of rows.get(u.id) ?? []) {
      if (!ds.table(table).byId.has(rid)) continue;
      ds.delete(table, rid);
      ds.insert("sys_audit_delete", {
        sys_id: rng.sysId(),
        tablename: table,
        documentkey: rid,
        display_value: u.userName,
        payload:
          `<record_update table="${table}"><sys_id>${rid}</sys_id><user>${u.id}</user></record_update>`,
      }, "admin");
    }
    rows.delete(u.id);
  }
  u.groups.clear();
  u.direct.clear();
  users.set(row, { roles: "", accumulated_roles: "" });
}

function rotateTransactions(ds: Dataset): void {
  const t = ds.table("syslog_transaction");
  const cutoff = formatGlideDateTime(new Date(ds.now.getTime() - 30 * DAY));
  const col = t.col("sys_created_on");
  const old = t.rows.filter((r) => r[col]! < cutoff).map((r) => r[0]!);
  for (const id of old) ds.delete("syslog_transaction", id);
}
