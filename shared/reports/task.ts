/**
 * The `reports.export` task: renders one export (PDF, workbook, CSV, JSON or
 * evidence pack) from the report content model, streaming the bytes into the
 * configured storage while hashing them, with progress on the job (the jobs
 * stream shows it). It reads under worker claims for the export's
 * organization, so row-level security confines it to that organization.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { z } from "zod";
import type { Database, TenantClaims, Tx } from "../db/mod.ts";
import { defineTask, PermanentTaskError, type TaskContext } from "../tasks/mod.ts";
import { loadReportsConfig } from "./config.ts";
import { reportDeliverTask } from "./deliver.ts";
import { buildReport } from "./content.ts";
import { type ReportFormat, reportSpecSchema } from "./model.ts";
import { renderCsv } from "./render/csv.ts";
import { renderJson } from "./render/json.ts";
import { renderPdf, type ReportBranding } from "./render/pdf.ts";
import { logoBytes } from "../organizations/branding.ts";
import type { ByteSink } from "./render/sink.ts";
import { renderXlsx } from "./render/xlsx.ts";
import { renderPack } from "./pack.ts";
import { currentReportStorage, setReportStorage, type TxRunner } from "./storage.ts";

/** The task kind of an export. */
export const REPORT_EXPORT_TASK_KIND = "reports.export";

/** Content type and file extension of each format. */
export const FORMAT_FILES: Record<ReportFormat | "pack", { type: string; ext: string }> = {
  pdf: { type: "application/pdf", ext: "pdf" },
  xlsx: {
    type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ext: "xlsx",
  },
  csv: { type: "text/csv; charset=utf-8", ext: "csv" },
  json: { type: "application/json", ext: "json" },
  pack: { type: "application/zip", ext: "zip" },
};

/** Renders one format into a sink. */
export type FormatRenderer = (
  content: Awaited<ReturnType<typeof buildReport>>,
  sink: ByteSink,
  progress: (rows: number) => void,
  branding: ReportBranding,
) => Promise<number>;

const RENDERERS: Record<ReportFormat | "pack", FormatRenderer> = {
  pdf: (c, s, p, b) =>
    renderPdf(c, s, {
      onProgress: p,
      maxFindings: loadReportsConfig().REPORTS_PDF_MAX_FINDINGS,
      ...b,
    }),
  xlsx: (c, s, p) => renderXlsx(c, s, { onProgress: p }),
  csv: (c, s, p) => renderCsv(c, s, { bom: true, onProgress: p }),
  json: (c, s, p) => renderJson(c, s, { onProgress: p }),
  pack: (c, s, p, b) => renderPack(c, s, { onProgress: p, branding: b }),
};

/** The organization's report branding from its settings (logo as a data URL). */
async function readBranding(ctx: TaskContext<unknown>, orgId: string): Promise<ReportBranding> {
  const [row] = await ctx.tx((tx) =>
    tx<{ logo: string | null; white_label: boolean | null }[]>`
      select settings ->> 'report_logo' as logo,
             (settings ->> 'report_white_label')::boolean as white_label
      from public.organizations where id = ${orgId}`
  );
  return {
    logo: row?.logo ? logoBytes(row.logo) : undefined,
    whiteLabel: row?.white_label === true,
  };
}

export { currentReportStorage, setReportStorage };

interface ExportRow {
  id: string;
  org_id: string;
  title: string;
  spec: unknown;
  format: ReportFormat | "pack";
  status: string;
  requested_by: string | null;
  requested_by_email: string | null;
  trigger: "manual" | "schedule";
}

/** A Database whose transactions are the task's (worker claims for the job's organization). */
function taskDatabase(ctx: TaskContext<unknown>): Database {
  const run: TxRunner = (fn) => ctx.tx(fn);
  return {
    get sql(): never {
      throw new Error("A task reads through its own transactions");
    },
    asTenant: (_claims, fn) => run(fn),
    readAsTenant: (_claims, build) => run((tx: Tx) => build(tx)),
    // The task's transactions already run on the engine's path for the job's organization.
    asEngine: (_orgId, fn) => run(fn),
    asService: () => Promise.reject(new Error("A task cannot bypass row-level security")),
    ping: async () => {},
    close: async () => {},
  };
}

/** The `reports.export` task. */
export const reportExportTask = defineTask({
  kind: REPORT_EXPORT_TASK_KIND,
  payload: z.object({ exportId: z.uuid() }),
  retries: 2,
  timeBudgetMs: 300_000,
  async handler(ctx, { exportId }) {
    const [row] = await ctx.tx((tx) =>
      tx<ExportRow[]>`
        update public.report_exports e set status = 'running', started_at = now(), error = null
        where id = ${exportId} and status in ('queued', 'running')
        returning e.id, e.org_id, e.title, e.spec, e.format, e.status, e.requested_by, e.trigger,
          (select email from public.profiles p where p.id = e.requested_by) as requested_by_email`
    );
    if (!row) {
      // A retried delivery of a job whose file is done: make sure its delivery was queued.
      const [done] = await ctx.tx((tx) =>
        tx<{ trigger: string }[]>`
          select trigger from public.report_exports where id = ${exportId} and status = 'succeeded'`
      );
      if (done?.trigger === "schedule") await queueDelivery(ctx, exportId);
      return ctx.done({ skipped: "not_queued" });
    }
    const result = await generate(ctx, row);
    // After the file is committed: a failure here retries the job, which only re-queues this.
    if (row.trigger === "schedule") await queueDelivery(ctx, row.id);
    return ctx.done(result);
  },
});

/** Queues the delivery of a scheduled report's file (once per export). */
async function queueDelivery(ctx: TaskContext<unknown>, exportId: string): Promise<void> {
  await ctx.enqueue(reportDeliverTask, { exportId }, {
    subject: exportId,
    dedupId: `deliver-${exportId}`,
  });
}

/** Renders the export into the storage and records it; on a final failure marks it failed. */
async function generate(
  ctx: TaskContext<unknown>,
  row: ExportRow,
): Promise<{ exportId: string; bytes: number; sha256: string; rows: number }> {
  const storage = currentReportStorage();
  const run: TxRunner = (fn) => ctx.tx(fn);
  const file = { id: row.id, org_id: row.org_id, content_type: FORMAT_FILES[row.format].type };
  await storage.remove(run, { ...file, storage_key: `${storage.kind}:${row.id}` }).catch(
    () => {},
  );
  try {
    const spec = reportSpecSchema.parse(row.spec);
    const claims = {
      sub: null,
      role: "authenticated",
      ciq_actor: "worker",
      ciq_org_id: row.org_id,
      ciq_actor_user_id: row.requested_by,
    } as TenantClaims;
    const content = await buildReport(taskDatabase(ctx), claims, spec, {
      generatedBy: { id: row.requested_by ?? "", email: row.requested_by_email ?? "" },
    });
    const expected = Math.max(1, content.expected_findings);
    const writer = storage.writer(run, file);
    const hash = createHash("sha256");
    let bytes = 0;
    const sink: ByteSink = {
      async write(chunk) {
        hash.update(chunk);
        bytes += chunk.length;
        await writer.write(chunk);
      },
    };
    ctx.progress(0.02, "Reading the report's data");
    const renderer = RENDERERS[row.format];
    if (!renderer) throw new PermanentTaskError(`No renderer for ${row.format}`);
    const branding = await readBranding(ctx, row.org_id);
    const rows = await renderer(
      content,
      sink,
      (n) =>
        ctx.progress(
          Math.min(0.95, n / expected),
          `${n.toLocaleString("en-US")} findings written`,
          {
            findings: n,
          },
        ),
      branding,
    );
    const key = await writer.close();
    const sha256 = hash.digest("hex");
    const filename = fileName(
      spec.title,
      content.meta.instance.name,
      content.meta.generated_at,
      row.format,
    );
    await ctx.tx(async (tx) => {
      await tx`
          update public.report_exports set status = 'succeeded', finished_at = now(),
            byte_size = ${bytes}, sha256 = ${sha256}, storage = ${storage.kind}, storage_key = ${key},
            rows = ${rows}, filename = ${filename}, content_type = ${file.content_type}
          where id = ${row.id}`;
      await tx`
          insert into public.report_events (org_id, export_id, action, actor_user_id)
          values (${row.org_id}, ${row.id}, 'generated', ${row.requested_by})`;
    });
    ctx.progress(1, "Done", { findings: rows, bytes });
    return { exportId: row.id, bytes, sha256, rows };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const final = error instanceof PermanentTaskError || ctx.job.retried >= ctx.job.maxRetries ||
      (error as { status?: number }).status !== undefined;
    if (final) {
      await storage.remove(run, { ...file, storage_key: `${storage.kind}:${row.id}` }).catch(
        () => {},
      );
      await ctx.tx(async (tx) => {
        await tx`update public.report_exports set status = 'failed', finished_at = now(),
                     error = ${message.slice(0, 2000)} where id = ${row.id}`;
        await tx`insert into public.report_events (org_id, export_id, action, actor_user_id)
                   values (${row.org_id}, ${row.id}, 'failed', ${row.requested_by})`;
      });
      throw new PermanentTaskError(`Cannot generate the report: ${message}`, { cause: error });
    }
    throw error;
  }
}

/** A file name from the title, instance and date, safe on every system. */
export function fileName(
  title: string,
  instance: string,
  at: Date,
  format: ReportFormat | "pack",
): string {
  const slug = `${title} ${instance}`.normalize("NFKD").replace(/[^\w\s-]/g, "").trim()
    .replace(/[\s_]+/g, "-").toLowerCase().slice(0, 80) || "report";
  return `${slug}-${at.toISOString().slice(0, 10)}.${FORMAT_FILES[format].ext}`;
}
