// The bulk path: copies a template instance that the product built (see
// template.ts) to many target instances, set-based, so every copy holds the
// rows the product's own writes would have produced for that instance. Ids are
// remapped deterministically (md5 of target instance and template id), ids
// inside text and JSON of the per-run tables are rewritten the same way, the
// template's audit entries are appended again through private.audit_append
// (so each organization's hash chain stays valid), usage is metered and the
// dashboard's materialised folds are refreshed as the triggers would have. Triggers are off for the copy itself
// (session_replication_role = replica): their effects are reproduced above.
import type postgres from "postgres";

type Sql = postgres.Sql | postgres.TransactionSql;

/** The product-built instance every target copies. */
export interface Template {
  orgId: string;
  ownerId: string;
  instanceId: string;
}

/** Tables copied per instance; `rewrite` tables also get ids inside text/JSON remapped. */
const TABLES: { name: string; rewrite: boolean }[] = [
  { name: "instance_tables", rewrite: true },
  { name: "jobs", rewrite: true },
  { name: "job_deliveries", rewrite: true },
  { name: "sync_runs", rewrite: true },
  { name: "sync_table_results", rewrite: true },
  { name: "analysis_runs", rewrite: true },
  { name: "analysis_check_results", rewrite: false },
  { name: "analysis_findings", rewrite: false },
  { name: "analysis_finding_results", rewrite: false },
  { name: "analysis_run_summaries", rewrite: true },
];
/** Columns naming a user: the target organization's owner takes the template owner's place. */
const USER_COLUMNS = new Set(["created_by", "requested_by", "actor_user_id", "cancelled_by"]);
/** Usage the copied rows' triggers would have metered (instance-scoped metrics). */
const METERED = ["syncs", "records_synced", "analysis_runs"];

interface Column {
  column_name: string;
  data_type: string;
}

/**
 * Copies `template` to every row of the temporary table `seed_targets`
 * (n, org_id, owner_id, instance_id, name, credentials, records) in the
 * caller's transaction. `records` says whether the synced ServiceNow records
 * are copied too (they are large; the runs and findings do not need them).
 *
 * @returns rows inserted per table
 */
export async function cloneInstances(
  tx: Sql,
  template: Template,
  onTable: (table: string, rows: number, ms: number) => void = () => {},
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const step = async (table: string, run: () => Promise<number>) => {
    const started = performance.now();
    counts[table] = await run();
    onTable(table, counts[table], performance.now() - started);
  };
  const rewrite = await rewriter(tx, template);
  await tx`set local session_replication_role = replica`;
  await step("instances", () => copyInstances(tx, template));
  for (const table of TABLES) {
    await step(
      table.name,
      () => copyTable(tx, template, table.name, table.rewrite ? rewrite : null),
    );
  }
  await step("snow_records", () => copyRecords(tx, template));
  await tx`set local session_replication_role = origin`;
  await step("usage_daily", () => meterUsage(tx, template));
  await step("audit_log", () => replayAudit(tx, template, rewrite));
  await step("posture_instance_rollups", () => foldPosture(tx));
  return counts;
}

/**
 * Folds every copied instance's latest run into its organization's dashboard
 * rows, as the run and summary triggers (off for the copy) would have.
 */
async function foldPosture(tx: Sql): Promise<number> {
  const rows = await tx`
    select private.refresh_posture_rollup(t.instance_id) from seed_targets t order by t.n`;
  return rows.length;
}

/**
 * SQL that maps a template id (uuid expression) to the target's: an MD5 shaped
 * as a version-4 UUID (version and variant bits set), so the API's UUID
 * validation accepts it as it accepts the product's own ids.
 */
function remapId(expr: string): string {
  return `overlay(overlay(md5(t.instance_id::text || ${expr}::text) placing '4' from 13 for 1)
          placing '8' from 17 for 1)::uuid`;
}

/**
 * A finding's id as the engine derives it (org, instance, check, resource
 * key), so a later run on a copied instance upserts the copied findings.
 */
function findingId(resourceKey: string): string {
  return `private.analysis_finding_id(t.org_id, t.instance_id, s.check_id, ${resourceKey})`;
}

/**
 * A function of a text expression that rewrites every template id in it: the
 * instance, organization and owner to the target's, every per-run id to its
 * remapped id.
 */
async function rewriter(tx: Sql, template: Template): Promise<(expr: string) => string> {
  const rows = await tx<{ id: string }[]>`
    select id::text from public.jobs where org_id = ${template.orgId}
    union select id::text from public.sync_runs where instance_id = ${template.instanceId}
    union select id::text from public.analysis_runs where instance_id = ${template.instanceId}`;
  const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const pairs: [string, string][] = [
    [template.instanceId, "t.instance_id::text"],
    [template.orgId, "t.org_id::text"],
    [template.ownerId, "t.owner_id::text"],
    ...rows.map((r): [string, string] => [r.id, `${remapId(`${literal(r.id)}::uuid`)}::text`]),
  ];
  return (expr) =>
    pairs.reduce((acc, [from, to]) => `replace(${acc}, ${literal(from)}, ${to})`, expr);
}

async function columnsOf(tx: Sql, table: string): Promise<Column[]> {
  return [
    ...await tx<Column[]>`
      select column_name, data_type from information_schema.columns
      where table_schema = 'public' and table_name = ${table} order by ordinal_position`,
  ];
}

function columnExpression(c: Column, rewrite: ((expr: string) => string) | null): string {
  const col = `s.${c.column_name}`;
  if (c.column_name === "org_id") return "t.org_id";
  if (c.column_name === "instance_id") return "t.instance_id";
  if (USER_COLUMNS.has(c.column_name)) {
    return `case when ${col} is null then null else t.owner_id end`;
  }
  if (c.data_type === "uuid") return remapId(col);
  // Queue message ids are unique keys of their own (QStash's, or the in-process queue's).
  if (c.column_name === "message_id") return `md5(t.instance_id::text || ${col})`;
  if (rewrite && c.data_type === "text") return rewrite(col);
  if (rewrite && c.data_type === "jsonb") return `${rewrite(`${col}::text`)}::jsonb`;
  return col;
}

async function copyTable(
  tx: Sql,
  template: Template,
  table: string,
  rewrite: ((expr: string) => string) | null,
): Promise<number> {
  const columns = await columnsOf(tx, table);
  const names = columns.map((c) => c.column_name).join(", ");
  // Finding ids are derived, not remapped; a finding result finds its resource
  // key on the template's finding.
  const derived: Record<string, Record<string, string>> = {
    analysis_findings: { id: findingId("s.resource_key") },
    analysis_finding_results: { finding_id: findingId("tf.resource_key") },
  };
  const exprs = columns.map((c) => derived[table]?.[c.column_name] ?? columnExpression(c, rewrite))
    .join(", ");
  const join = table === "analysis_finding_results"
    ? "join public.analysis_findings tf on tf.id = s.finding_id"
    : "";
  // The template organization holds only the template instance.
  const result = await tx.unsafe(
    `insert into public.${table} (${names}) select ${exprs}
     from public.${table} s ${join} cross join seed_targets t where s.org_id = $1`,
    [template.orgId],
  );
  return result.count;
}

async function copyInstances(tx: Sql, template: Template): Promise<number> {
  const columns = await columnsOf(tx, "instances");
  const own: Record<string, string> = {
    id: "t.instance_id",
    org_id: "t.org_id",
    name: "t.name",
    credentials: "t.credentials",
    created_by: "t.owner_id",
  };
  const names = columns.map((c) => c.column_name).join(", ");
  const exprs = columns.map((c) => own[c.column_name] ?? `s.${c.column_name}`).join(", ");
  const result = await tx.unsafe(
    `insert into public.instances (${names}) select ${exprs}
     from public.instances s cross join seed_targets t where s.id = $1`,
    [template.instanceId],
  );
  return result.count;
}

async function copyRecords(tx: Sql, template: Template): Promise<number> {
  const result = await tx`
    insert into public.snow_records (org_id, instance_id, table_name, sys_id, sys_updated_on, data,
                                     synced_at)
    select t.org_id, t.instance_id, s.table_name, s.sys_id, s.sys_updated_on, s.data, s.synced_at
    from public.snow_records s cross join seed_targets t
    where s.instance_id = ${template.instanceId} and t.records`;
  return result.count;
}

/** What the meter triggers add for each copied instance, on the day they metered the template. */
async function meterUsage(tx: Sql, template: Template): Promise<number> {
  const result = await tx`
    insert into public.usage_daily (org_id, day, metric, value, updated_at)
    select t.org_id, u.day, u.metric, sum(u.value), now()
    from public.usage_daily u cross join seed_targets t
    where u.org_id = ${template.orgId} and u.metric = any(${METERED})
    group by t.org_id, u.day, u.metric
    on conflict (org_id, day, metric)
    do update set value = public.usage_daily.value + excluded.value, updated_at = now()`;
  return result.count;
}

/**
 * Appends the template's instance entries (everything after its organization
 * was set up) for each target, in order, as the same actors.
 */
async function replayAudit(
  tx: Sql,
  template: Template,
  rewrite: (expr: string) => string,
): Promise<number> {
  const text = (col: string) => rewrite(`a.${col}`);
  const json = (col: string) => `${rewrite(`a.${col}::text`)}::jsonb`;
  // The instance's own row image names the copy, not the template.
  const after = `case when a.target_table = 'instances' and a.after ? 'name'
                 then ${json("after")} || jsonb_build_object('name', t.name)
                 else ${json("after")} end`;
  const actor = `case when a.actor_id = ${lit(template.ownerId)} then t.owner_id::text
                 else a.actor_id end`;
  const [row] = await tx.unsafe(
    `select count(*)::int as n from (
       select set_config('ciq.audit', jsonb_build_object(
                'actor_kind', a.actor_kind, 'actor_id', ${actor}, 'request_id', a.request_id,
                'ip', a.ip, 'user_agent', a.user_agent, 'route', a.route)::text, true),
              set_config('request.jwt.claims', case when a.on_behalf_of is null then '{}'
                else jsonb_build_object('ciq_actor_user_id', t.owner_id)::text end, true),
              private.audit_append(t.org_id, a.category, a.operation, a.target_table,
                ${text("target_id")}, ${json("before")}, ${after}, a.action)
       from public.audit_log a cross join seed_targets t
       where a.org_id = $1 and a.target_table not in ('organizations', 'memberships')
       order by t.n, a.seq) x`,
    [template.orgId],
  );
  await tx`select set_config('ciq.audit', '', true), set_config('request.jwt.claims', '', true)`;
  return Number(row?.n ?? 0);
}

function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
