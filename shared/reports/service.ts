/**
 * Saved report definitions, generated files, download and share links, and
 * retention. Every read and write runs under the caller's row-level security;
 * only a link download looks its token up as the service (the link is the
 * credential), and retention runs as the service.
 *
 * @module
 */

import { z } from "zod";
import { type Database, decodeKeyset, keysetPage, type TenantClaims, type Tx } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import { readGuardedPage, readNewestFirstPage, requirePermission } from "../organizations/mod.ts";
import { sealWebhookSecret, secretKeyring } from "../secrets/mod.ts";
import type { TaskClient } from "../tasks/mod.ts";
import type { ReportsConfig } from "./config.ts";
import { REPORT_FORMATS, reportSpecSchema } from "./model.ts";
import type { ReportStorage } from "./storage.ts";
import { reportExportTask } from "./task.ts";
import { checkWebhookUrl, generateWebhookSecret, WebhookUrlError } from "./delivery.ts";
import { ensureRetentionSchedule, purgeExpiredFiles } from "./retention.ts";
import { removeReportSchedule, reportScheduleId, upsertReportSchedule } from "./schedule.ts";
import { newLinkToken, sha256Hex } from "./tokens.ts";

/** Formats a saved report or an export can have: the report formats and the evidence pack. */
export const EXPORT_FORMATS = [...REPORT_FORMATS, "pack"] as const;
/** One export format. */
export type ExportFormat = typeof EXPORT_FORMATS[number];

/** What a service function needs. */
export interface ReportServices {
  db: Database;
  tasks: TaskClient;
  storage: ReportStorage;
  config: ReportsConfig;
}

// ---------------------------------------------------------------------------
// Definitions
// ---------------------------------------------------------------------------

/** Body of `POST /reports/definitions`. */
export const createDefinitionSchema = z.object({
  org_id: z.uuid(),
  name: z.string().trim().min(1).max(120),
  spec: reportSpecSchema,
  format: z.enum(EXPORT_FORMATS).default("pdf"),
  schedule: z.enum(["daily", "weekly", "monthly"]).nullable().default(null),
  recipients: z.array(z.email().max(254)).max(20).default([]),
  /** Where a scheduled report is POSTed (signed); https, public addresses only. */
  webhook_url: z.string().trim().min(1).max(2000).nullable().default(null),
}).strict().refine((d) => d.spec.scope.org_id === d.org_id, {
  message: "The report's scope must be in the same organization",
  path: ["spec", "scope", "org_id"],
});

/** Body of `PATCH /reports/definitions/:id`. */
export const updateDefinitionSchema = z.object({
  name: z.string().trim().min(1).max(120).optional(),
  spec: reportSpecSchema.optional(),
  format: z.enum(EXPORT_FORMATS).optional(),
  schedule: z.enum(["daily", "weekly", "monthly"]).nullable().optional(),
  recipients: z.array(z.email().max(254)).max(20).optional(),
  webhook_url: z.string().trim().min(1).max(2000).nullable().optional(),
}).strict().refine((v) => Object.keys(v).length > 0, "send at least one field");

/** A saved report. */
export const definitionSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  name: z.string(),
  spec: reportSpecSchema,
  format: z.enum(EXPORT_FORMATS),
  schedule: z.enum(["daily", "weekly", "monthly"]).nullable(),
  schedule_id: z.string().nullable(),
  recipients: z.array(z.string()),
  webhook_url: z.string().nullable(),
  created_by: z.uuid().nullable(),
  created_at: z.date(),
  updated_at: z.date(),
});
/** A saved report. */
export type ReportDefinition = z.output<typeof definitionSchema>;

const DEFINITION_COLUMNS = [
  "id",
  "org_id",
  "name",
  "spec",
  "format",
  "schedule",
  "schedule_id",
  "recipients",
  "webhook_url",
  "created_by",
  "created_at",
  "updated_at",
] as const;

/** Query of `GET /reports/definitions`: 50 a page by default, at most 200. */
export const listDefinitionsQuerySchema = z.object({
  org_id: z.uuid(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
});

/**
 * A page of an organization's saved reports (members), by name regardless of
 * case, off the (org_id, lower(name), id) index.
 *
 * @param db the database
 * @param claims the caller
 * @param orgId the organization
 * @param page size and the cursor from the previous page
 * @throws {HttpError} 404 when the caller is not a member; 400 `invalid_cursor`
 */
export async function listDefinitions(
  db: Database,
  claims: TenantClaims,
  orgId: string,
  page: { limit: number; cursor?: string },
): Promise<{ data: ReportDefinition[]; next_cursor: string | null }> {
  const after = decodeKeyset(page.cursor, (name) => typeof name === "string" ? name : null);
  const { rows } = await readGuardedPage(
    db,
    claims,
    { orgId },
    "reports.read",
    (tx) =>
      tx<(ReportDefinition & { cursor_key: string })[]>`
        select ${tx(DEFINITION_COLUMNS)}, lower(name) as cursor_key
        from public.report_definitions
        where org_id = ${orgId}
          ${after ? tx`and (lower(name), id) > (${after.key}, ${after.id}::uuid)` : tx``}
        order by lower(name), id
        limit ${page.limit + 1}`,
  );
  const { rows: data, next_cursor } = keysetPage(rows, page.limit);
  return { data, next_cursor };
}

/** Reads one saved report (members). */
export async function getDefinition(
  db: Database,
  claims: TenantClaims,
  id: string,
): Promise<ReportDefinition> {
  const [row] = await db.readAsTenant(claims, (tx) =>
    tx<ReportDefinition[]>`
      select ${tx(DEFINITION_COLUMNS)} from public.report_definitions where id = ${id}`);
  if (!row) throw new HttpError(404, "Saved report not found");
  return row;
}

/** A saved report, and its webhook's signing secret when it was just created (shown once). */
export interface SavedDefinition {
  definition: ReportDefinition;
  webhook_secret: string | null;
}

/** Whether saving these fields sends data out of the product (admin or owner). */
function sendsOut(fields: { schedule?: unknown; recipients?: unknown; webhook_url?: unknown }) {
  return fields.schedule !== undefined || fields.recipients !== undefined ||
    fields.webhook_url !== undefined;
}

/**
 * Saves a report (analyst or higher; a schedule, recipients or a webhook need
 * admin). A schedule becomes a QStash schedule before the row is written; if
 * the row cannot be written the schedule is removed again.
 *
 * @throws {HttpError} 422 for a refused webhook URL, 503 when the queue is unavailable
 */
export async function createDefinition(
  services: ReportServices,
  claims: TenantClaims,
  input: z.output<typeof createDefinitionSchema>,
): Promise<SavedDefinition> {
  const { db } = services;
  const outward = Boolean(input.schedule || input.recipients.length || input.webhook_url);
  const permission = outward ? "reports.schedule" : "reports.generate";
  await db.asTenant(claims, (tx) => requirePermission(tx, input.org_id, permission));
  const webhookUrl = input.webhook_url ? await webhookUrlOr422(services, input.webhook_url) : null;
  // Without a keyring a webhook's secret cannot be stored: refuse before any schedule exists.
  if (webhookUrl) await secretKeyring();
  const id = crypto.randomUUID();
  const scheduleId = input.schedule
    ? await queueOr503(
      upsertReportSchedule(
        services.tasks,
        { id, org_id: input.org_id, schedule: input.schedule },
        claims.sub,
      ),
    )
    : null;
  const secret = webhookUrl ? generateWebhookSecret() : null;
  try {
    const definition = await db.asTenant(claims, async (tx) => {
      await requirePermission(tx, input.org_id, permission);
      const [row] = await tx<ReportDefinition[]>`
        insert into public.report_definitions
          (id, org_id, name, spec, format, schedule, schedule_id, recipients, webhook_url, created_by)
        values (${id}, ${input.org_id}, ${input.name}, ${
        tx.json(input.spec as never)
      }, ${input.format},
                ${input.schedule}, ${scheduleId}, ${input.recipients}, ${webhookUrl}, ${claims.sub})
        returning ${tx(DEFINITION_COLUMNS)}`;
      if (secret) await storeWebhookSecret(tx, id, input.org_id, secret);
      return row!;
    });
    if (scheduleId) await ensureRetentionSchedule(services.tasks, input.org_id).catch(() => {});
    return { definition, webhook_secret: secret };
  } catch (error) {
    if (scheduleId) await removeReportSchedule(services.tasks, id).catch(() => {});
    throw error;
  }
}

/**
 * Changes a saved report (analyst or higher; its schedule, recipients or
 * webhook need admin). The QStash schedule follows: created, replaced or
 * removed before the row changes. A new webhook URL gets a new secret.
 */
export async function updateDefinition(
  services: ReportServices,
  claims: TenantClaims,
  id: string,
  patch: z.output<typeof updateDefinitionSchema>,
): Promise<SavedDefinition> {
  const { db } = services;
  const permission = sendsOut(patch) ? "reports.schedule" : "reports.generate";
  const current = await db.asTenant(claims, async (tx) => {
    const [row] = await tx<ReportDefinition[]>`
      select ${tx(DEFINITION_COLUMNS)} from public.report_definitions where id = ${id}`;
    if (!row) throw new HttpError(404, "Saved report not found");
    await requirePermission(tx, row.org_id, permission);
    return row;
  });
  if (patch.spec && patch.spec.scope.org_id !== current.org_id) {
    throw new HttpError(422, "The report's scope must be in the same organization");
  }
  const webhookUrl = patch.webhook_url === undefined
    ? current.webhook_url
    : patch.webhook_url && await webhookUrlOr422(services, patch.webhook_url);
  const schedule = patch.schedule === undefined ? current.schedule : patch.schedule;
  if (webhookUrl && webhookUrl !== current.webhook_url) await secretKeyring();
  if (patch.schedule) {
    await queueOr503(
      upsertReportSchedule(services.tasks, {
        id,
        org_id: current.org_id,
        schedule: patch.schedule,
      }, claims.sub),
    );
  } else if (patch.schedule === null && current.schedule) {
    await queueOr503(removeReportSchedule(services.tasks, id));
  }
  const secret = webhookUrl && webhookUrl !== current.webhook_url ? generateWebhookSecret() : null;
  const definition = await db.asTenant(claims, async (tx) => {
    await requirePermission(tx, current.org_id, permission);
    const [row] = await tx<ReportDefinition[]>`
      update public.report_definitions set
        name = ${patch.name ?? current.name},
        spec = ${tx.json((patch.spec ?? current.spec) as never)},
        format = ${patch.format ?? current.format},
        schedule = ${schedule},
        schedule_id = ${schedule ? reportScheduleId(id) : null},
        recipients = ${patch.recipients ?? current.recipients},
        webhook_url = ${webhookUrl ?? null}
      where id = ${id}
      returning ${tx(DEFINITION_COLUMNS)}`;
    if (!row) throw new HttpError(404, "Saved report not found");
    if (!webhookUrl) {
      await tx`delete from public.report_webhook_secrets where definition_id = ${id}`;
    } else if (secret) {
      await storeWebhookSecret(tx, id, current.org_id, secret);
    }
    return row;
  });
  if (patch.schedule) {
    await ensureRetentionSchedule(services.tasks, current.org_id).catch(() => {});
  }
  return { definition, webhook_secret: secret };
}

/** Stores a saved report's webhook secret sealed (`shared/secrets`), replacing any older one. */
async function storeWebhookSecret(tx: Tx, definitionId: string, orgId: string, secret: string) {
  const sealed = await sealWebhookSecret(secret, {
    table: "report_webhook_secrets",
    orgId,
    id: definitionId,
  });
  await tx`
    insert into public.report_webhook_secrets (definition_id, org_id, secret, secret_sealed)
    values (${definitionId}, ${orgId}, null, ${tx.json(sealed as never)})
    on conflict (definition_id) do update
      set secret = null, secret_sealed = excluded.secret_sealed, created_at = now()`;
}

/** Replaces a saved report's webhook secret (admin or owner); the new one is shown once. */
export async function rotateWebhookSecret(
  db: Database,
  claims: TenantClaims,
  id: string,
): Promise<string> {
  return await db.asTenant(claims, async (tx) => {
    const [row] = await tx<{ org_id: string; webhook_url: string | null }[]>`
      select org_id, webhook_url from public.report_definitions where id = ${id}`;
    if (!row) throw new HttpError(404, "Saved report not found");
    await requirePermission(tx, row.org_id, "reports.schedule");
    if (!row.webhook_url) throw new HttpError(409, "The saved report has no webhook");
    const secret = generateWebhookSecret();
    await storeWebhookSecret(tx, id, row.org_id, secret);
    return secret;
  });
}

/** Deletes a saved report (analyst or higher; a scheduled one needs admin), then its schedule. Its files stay. */
export async function deleteDefinition(
  services: ReportServices,
  claims: TenantClaims,
  id: string,
): Promise<ReportDefinition> {
  const deleted = await services.db.asTenant(claims, async (tx) => {
    const [current] = await tx<ReportDefinition[]>`
      select ${tx(DEFINITION_COLUMNS)} from public.report_definitions where id = ${id}`;
    if (!current) throw new HttpError(404, "Saved report not found");
    await requirePermission(
      tx,
      current.org_id,
      current.schedule || current.webhook_url || current.recipients.length
        ? "reports.schedule"
        : "reports.generate",
    );
    await tx`delete from public.report_definitions where id = ${id}`;
    return current;
  });
  // A firing that still comes finds no saved report and does nothing.
  if (deleted.schedule) await removeReportSchedule(services.tasks, id).catch(() => {});
  return deleted;
}

async function webhookUrlOr422(services: ReportServices, url: string): Promise<string> {
  try {
    return await checkWebhookUrl(url, {
      allowPrivate: services.config.ALLOW_PRIVATE_INSTANCE_URLS,
    });
  } catch (error) {
    if (error instanceof WebhookUrlError) {
      throw new HttpError(422, error.message, { code: "invalid_webhook_url" });
    }
    throw error;
  }
}

async function queueOr503<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(503, "Cannot save the schedule: the task queue is unavailable", {
      code: "queue_unavailable",
      cause: error,
    });
  }
}

// ---------------------------------------------------------------------------
// Exports
// ---------------------------------------------------------------------------

/** Body of `POST /reports/exports`: a spec, or a saved report (its spec and format). */
export const startExportSchema = z.union([
  z.object({ spec: reportSpecSchema, format: z.enum(EXPORT_FORMATS) }).strict(),
  z.object({ definition_id: z.uuid(), format: z.enum(EXPORT_FORMATS).optional() }).strict(),
]);

/** A generated file, with its job's progress while it runs. */
export const exportSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  definition_id: z.uuid().nullable(),
  title: z.string(),
  format: z.enum(EXPORT_FORMATS),
  trigger: z.enum(["manual", "schedule"]),
  status: z.enum(["queued", "running", "succeeded", "failed", "cancelled"]),
  job_id: z.uuid().nullable(),
  progress: z.number(),
  progress_message: z.string(),
  filename: z.string().nullable(),
  content_type: z.string().nullable(),
  byte_size: z.number().nullable(),
  sha256: z.string().nullable(),
  rows: z.number().nullable(),
  error: z.string().nullable(),
  requested_by: z.uuid().nullable(),
  created_at: z.date(),
  finished_at: z.date().nullable(),
  expires_at: z.date(),
});
/** A generated file. */
export type ReportExport = z.output<typeof exportSchema>;

const EXPORT_SELECT = `e.id, e.org_id, e.definition_id, e.title, e.format, e.trigger, e.status,
  e.job_id, case when e.status = 'succeeded' then 1 else coalesce(j.progress, 0) end::float8 as progress,
  coalesce(j.progress_message, '') as progress_message, e.filename, e.content_type,
  e.byte_size::float8 as byte_size, e.sha256, e.rows::float8 as rows, e.error, e.requested_by,
  e.created_at, e.finished_at, e.expires_at`;

/**
 * Queues the generation of a file (analyst or higher): records the export and
 * starts the `reports.export` task. Purges the organization's expired files first.
 *
 * @returns the export and its job id
 */
export async function startExport(
  services: ReportServices,
  claims: TenantClaims,
  input: z.output<typeof startExportSchema>,
  options: { trigger?: "manual" | "schedule" } = {},
): Promise<ReportExport> {
  const { db } = services;
  let spec: z.output<typeof reportSpecSchema>;
  let format: ExportFormat;
  let definitionId: string | null = null;
  if ("definition_id" in input) {
    const definition = await getDefinition(db, claims, input.definition_id);
    spec = definition.spec;
    format = input.format ?? definition.format;
    definitionId = definition.id;
  } else {
    spec = input.spec;
    format = input.format;
  }
  const orgId = spec.scope.org_id;
  const retention = services.config.REPORTS_RETENTION_DAYS;
  const created = await db.asTenant(claims, async (tx) => {
    await requirePermission(tx, orgId, "reports.generate");
    const [instance] = await tx`
      select 1 from public.instances where id = ${spec.scope.instance_id} and org_id = ${orgId}`;
    if (!instance) throw new HttpError(404, "Instance not found");
    const [row] = await tx<{ id: string }[]>`
      insert into public.report_exports
        (org_id, definition_id, title, spec, format, trigger, requested_by, expires_at)
      values (${orgId}, ${definitionId}, ${spec.title}, ${tx.json(spec as never)}, ${format},
              ${options.trigger ?? "manual"}, ${claims.sub},
              now() + make_interval(days => ${retention}))
      returning id`;
    return row!;
  });
  const job = await services.tasks.enqueue(reportExportTask, { exportId: created.id }, {
    orgId,
    subject: created.id,
    actorUserId: claims.sub,
    dedupId: created.id,
  });
  await db.asTenant(
    claims,
    (tx) => tx`update public.report_exports set job_id = ${job.id} where id = ${created.id}`,
  );
  await purgeExpired(services).catch(() => {});
  await ensureRetentionSchedule(services.tasks, orgId).catch(() => {});
  return await getExport(db, claims, created.id);
}

/** One generated file (members). */
export async function getExport(
  db: Database,
  claims: TenantClaims,
  id: string,
): Promise<ReportExport> {
  const [row] = await db.readAsTenant(claims, (tx) =>
    tx.unsafe(
      `select ${EXPORT_SELECT} from public.report_exports e
       left join public.jobs j on j.id = e.job_id where e.id = $1::uuid`,
      [id],
    ));
  if (!row) throw new HttpError(404, "Generated report not found");
  return row as unknown as ReportExport;
}

/** Query of `GET /reports/exports`. */
export const listExportsQuerySchema = z.object({
  org_id: z.uuid(),
  definition_id: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(500).optional(),
});

/** A page of generated files, newest first (members). */
export async function listExports(
  db: Database,
  claims: TenantClaims,
  query: z.output<typeof listExportsQuerySchema>,
): Promise<{ data: ReportExport[]; next_cursor: string | null }> {
  const { rows: data, next_cursor } = await readNewestFirstPage(
    db,
    claims,
    { orgId: query.org_id },
    "reports.read",
    query,
    "e",
    (tx, k) =>
      tx<(ReportExport & { cursor_key: string })[]>`
        select ${tx.unsafe(EXPORT_SELECT)}, ${k.cursorKey} from public.report_exports e
        left join public.jobs j on j.id = e.job_id
        where e.org_id = ${query.org_id}::uuid
          ${query.definition_id ? tx`and e.definition_id = ${query.definition_id}::uuid` : tx``}
          ${k.after}
        ${k.orderByLimit}`,
  );
  return { data, next_cursor };
}

/** A file ready to stream. */
export interface Download {
  filename: string;
  content_type: string;
  byte_size: number;
  sha256: string;
  body: ReadableStream<Uint8Array>;
}

/**
 * Streams a generated file to a member, and records the download.
 *
 * @throws {HttpError} 404 unknown or expired, 409 not generated (yet)
 */
export async function downloadExport(
  services: ReportServices,
  claims: TenantClaims,
  id: string,
): Promise<Download> {
  const row = await getExport(services.db, claims, id);
  const file = await services.db.asTenant(claims, async (tx) => {
    const [stored] = await tx<{ storage_key: string }[]>`
      select storage_key from public.report_exports where id = ${id}`;
    await tx`insert into public.report_events (org_id, export_id, action, actor_user_id, via)
             values (${row.org_id}, ${id}, 'downloaded', ${claims.sub}, 'member')`;
    return stored!;
  });
  return readable(services, row, file.storage_key, (fn) => services.db.asTenant(claims, fn));
}

function readable(
  services: ReportServices,
  row: Pick<
    ReportExport,
    "id" | "org_id" | "status" | "expires_at" | "filename" | "content_type" | "byte_size" | "sha256"
  >,
  storageKey: string | null,
  run: Parameters<ReportStorage["read"]>[0],
): Download {
  if (new Date(row.expires_at).getTime() <= Date.now()) {
    throw new HttpError(404, "This report has passed its retention period and was deleted", {
      code: "expired",
    });
  }
  if (row.status !== "succeeded" || !storageKey) {
    throw new HttpError(409, `The report is ${row.status}; it can be downloaded once generated`);
  }
  return {
    filename: row.filename!,
    content_type: row.content_type!,
    byte_size: Number(row.byte_size),
    sha256: row.sha256!,
    body: services.storage.read(run, {
      id: row.id,
      org_id: row.org_id,
      storage_key: storageKey,
      content_type: row.content_type!,
    }),
  };
}

// ---------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------

/** Body of `POST /reports/exports/:id/links`. */
export const createLinkSchema = z.object({
  /** download: a member's short link; share: an admin's link for someone outside. */
  kind: z.enum(["download", "share"]).default("download"),
  /** Lifetime of a share link in days (default 7, at most REPORTS_SHARE_MAX_DAYS). */
  expires_in_days: z.number().int().min(1).max(365).optional(),
  label: z.string().trim().max(200).optional(),
}).strict();

/** A link as listed (never its token). */
export const linkSchema = z.object({
  id: z.uuid(),
  export_id: z.uuid(),
  kind: z.enum(["download", "share"]),
  label: z.string().nullable(),
  created_by: z.uuid().nullable(),
  created_at: z.date(),
  expires_at: z.date(),
  revoked_at: z.date().nullable(),
  last_used_at: z.date().nullable(),
  use_count: z.number(),
  active: z.boolean(),
});
/** A link as listed. */
export type ReportLink = z.output<typeof linkSchema>;

const LINK_SELECT = `id, export_id, kind, label, created_by, created_at, expires_at, revoked_at,
  last_used_at, use_count, (revoked_at is null and expires_at > now()) as active`;

/**
 * Creates a link that downloads the file without signing in: a random 256-bit
 * token, shown once, stored as its SHA-256. Download links (members) last
 * REPORTS_LINK_MINUTES; share links (admin or owner) up to REPORTS_SHARE_MAX_DAYS,
 * never past the file's retention. Revocable.
 *
 * @returns the link and its token
 */
export async function createLink(
  services: ReportServices,
  claims: TenantClaims,
  exportId: string,
  input: z.output<typeof createLinkSchema>,
): Promise<{ link: ReportLink; token: string }> {
  const row = await getExport(services.db, claims, exportId);
  if (row.status !== "succeeded") {
    throw new HttpError(409, `The report is ${row.status}; links can be made once it is generated`);
  }
  const { config } = services;
  const days = input.expires_in_days ?? 7;
  if (input.kind === "share" && days > config.REPORTS_SHARE_MAX_DAYS) {
    throw new HttpError(422, `Share links last at most ${config.REPORTS_SHARE_MAX_DAYS} days`);
  }
  const { token, hash } = await newLinkToken();
  const lifetime = input.kind === "share"
    ? `${days} days`
    : `${config.REPORTS_LINK_MINUTES} minutes`;
  const link = await services.db.asTenant(claims, async (tx) => {
    await requirePermission(
      tx,
      row.org_id,
      input.kind === "share" ? "reports.share" : "reports.read",
    );
    const [created] = await tx.unsafe(
      `insert into public.report_links (org_id, export_id, kind, token_sha256, label, created_by, expires_at)
       values ($1, $2, $3, $4, $5, $6, least(now() + $7::interval, $8::timestamptz))
       returning ${LINK_SELECT}`,
      [
        row.org_id,
        exportId,
        input.kind,
        hash,
        input.label ?? null,
        claims.sub,
        lifetime,
        row.expires_at,
      ] as never[],
    );
    if (input.kind === "share") {
      await tx`insert into public.report_events (org_id, export_id, link_id, action, actor_user_id)
               values (${row.org_id}, ${exportId}, ${created!.id}, 'shared', ${claims.sub})`;
    }
    return created as unknown as ReportLink;
  });
  return { link, token };
}

/** The links of a file (members). */
export async function listLinks(
  db: Database,
  claims: TenantClaims,
  exportId: string,
): Promise<ReportLink[]> {
  await getExport(db, claims, exportId);
  const rows = await db.readAsTenant(claims, (tx) =>
    tx.unsafe(
      `select ${LINK_SELECT} from public.report_links where export_id = $1::uuid
       order by created_at desc limit 200`,
      [exportId],
    ));
  return rows as unknown as ReportLink[];
}

/** Revokes a link (admin or owner); it stops working at once. */
export async function revokeLink(
  db: Database,
  claims: TenantClaims,
  linkId: string,
): Promise<ReportLink> {
  return await db.asTenant(claims, async (tx) => {
    const [link] = await tx<{ org_id: string; export_id: string; revoked_at: Date | null }[]>`
      select org_id, export_id, revoked_at from public.report_links where id = ${linkId}`;
    if (!link) throw new HttpError(404, "Link not found");
    await requirePermission(tx, link.org_id, "reports.share");
    if (link.revoked_at) throw new HttpError(409, "The link is already revoked");
    const [row] = await tx.unsafe(
      `update public.report_links set revoked_at = now(), revoked_by = $2 where id = $1::uuid
       returning ${LINK_SELECT}`,
      [linkId, claims.sub],
    );
    await tx`insert into public.report_events (org_id, export_id, link_id, action, actor_user_id)
             values (${link.org_id}, ${link.export_id}, ${linkId}, 'link_revoked', ${claims.sub})`;
    return row as unknown as ReportLink;
  });
}

/**
 * Streams the file a link points to, for anyone holding its token; records
 * the download. The token is looked up by its SHA-256 as the service.
 *
 * @throws {HttpError} 404 for an unknown, revoked or expired link (never saying which)
 */
export async function downloadByLink(services: ReportServices, token: string): Promise<Download> {
  const gone = new HttpError(404, "This link does not exist, has expired or was revoked");
  if (!/^rpt_[A-Za-z0-9_-]{43}$/.test(token)) throw gone;
  const hash = await sha256Hex(token);
  const found = await services.db.asService(async (tx) => {
    const [row] = await tx<(ReportExport & { storage_key: string | null; link_id: string })[]>`
      update public.report_links l set last_used_at = now(), use_count = use_count + 1
      from public.report_exports e
      where l.token_sha256 = ${hash} and l.revoked_at is null and l.expires_at > now()
        and e.id = l.export_id
      returning e.id, e.org_id, e.status, e.expires_at, e.filename, e.content_type, e.byte_size,
                e.sha256, e.storage_key, l.id as link_id`;
    if (!row) return null;
    await tx`insert into public.report_events (org_id, export_id, link_id, action, via)
             values (${row.org_id}, ${row.id}, ${row.link_id}, 'downloaded', 'link')`;
    return row;
  });
  if (!found) throw gone;
  return readable(services, found, found.storage_key, (fn) => services.db.asService(fn));
}

// ---------------------------------------------------------------------------
// Retention
// ---------------------------------------------------------------------------

/**
 * Deletes files past their retention period, in every organization (as the
 * service); the daily `reports.retention` task does the same per organization.
 *
 * @returns how many were deleted
 */
export async function purgeExpired(
  services: Pick<ReportServices, "db" | "storage">,
): Promise<number> {
  return await purgeExpiredFiles((fn) => services.db.asService(fn), services.storage);
}

// ---------------------------------------------------------------------------
// Deliveries
// ---------------------------------------------------------------------------

/** Query of `GET /reports/deliveries`. */
export const listDeliveriesQuerySchema = z.object({
  org_id: z.uuid(),
  definition_id: z.uuid().optional(),
  export_id: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(500).optional(),
});

/** One delivery of a generated report by email or webhook. */
export const deliverySchema = z.object({
  id: z.uuid(),
  export_id: z.uuid().nullable(),
  definition_id: z.uuid().nullable(),
  channel: z.enum(["email", "webhook"]),
  target: z.string(),
  mode: z.enum(["link", "attachment"]).nullable(),
  status: z.enum(["pending", "sent", "failed"]),
  response_code: z.number().int().nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  message_id: z.string().nullable(),
  created_at: z.date(),
  sent_at: z.date().nullable(),
});
/** One delivery. */
export type ReportDeliveryRecord = z.output<typeof deliverySchema>;

/** A page of deliveries, newest first (members). */
export async function listDeliveries(
  db: Database,
  claims: TenantClaims,
  query: z.output<typeof listDeliveriesQuerySchema>,
): Promise<{ data: ReportDeliveryRecord[]; next_cursor: string | null }> {
  const { rows: data, next_cursor } = await readNewestFirstPage(
    db,
    claims,
    { orgId: query.org_id },
    "reports.read",
    query,
    "d",
    (tx, k) =>
      tx<(ReportDeliveryRecord & { cursor_key: string })[]>`
        select d.id, d.export_id, d.definition_id, d.channel, d.target, d.mode, d.status,
          d.response_code, d.error, d.attempts, d.message_id, d.created_at, d.sent_at,
          ${k.cursorKey}
        from public.report_deliveries d
        where d.org_id = ${query.org_id}
          ${query.definition_id ? tx`and d.definition_id = ${query.definition_id}::uuid` : tx``}
          ${query.export_id ? tx`and d.export_id = ${query.export_id}::uuid` : tx``}
          ${k.after}
        ${k.orderByLimit}`,
  );
  return { data, next_cursor };
}
