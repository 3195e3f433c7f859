import { z } from "zod";
import { createRouteGroup, dataOf, pageOf, type Services } from "../../../shared/http/mod.ts";
import {
  accessReview,
  accessReviewCsv,
  accessReviewQuerySchema,
  accessReviewSchema,
  allAuditEntries,
  auditEntriesCsv,
  auditEntryDetailSchema,
  auditEntrySchema,
  auditFilterSchema,
  auditListQuerySchema,
  auditVerificationSchema,
  getAuditEntry,
  listAuditEntries,
  listSignInEvents,
  recordAuditEvent,
  signInEventSchema,
  signInQuerySchema,
  verifyAuditChain,
} from "../../../shared/audit/mod.ts";

const orgQuery = z.object({ org_id: z.uuid() }).strict();
const csvDeclaration = { description: "CSV (RFC 4180, UTF-8 with BOM)", contentType: "text/csv" };

function csvResponse(text: string, filename: string): Response {
  return new Response(text, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "private, no-store",
    },
  });
}

const day = (iso: string | undefined) => (iso ?? new Date().toISOString()).slice(0, 10);

/**
 * The audit trail's routes: entries, one entry's diff, the chain's
 * verification, the access review, and their CSV exports.
 *
 * @param services the function's services
 */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function auditRoutes(services: Services) {
  const { db } = services;
  return createRouteGroup()
    .on(
      {
        method: "get",
        path: "/entries",
        summary: "Audit entries, newest first (filters: actor, action, target, category, time)",
        description: "`action` ending in `*` matches a prefix, e.g. `members.*`.",
        auth: "user",
        permission: "audit.read",
        query: auditListQuerySchema,
        responses: { 200: { description: "One page", schema: pageOf(auditEntrySchema) } },
      },
      async (c, { query }) => c.json(await listAuditEntries(db, c.get("claims"), query)),
    )
    .on({
      method: "get",
      path: "/entries/:id",
      summary: "One audit entry with its before/after and the fields that changed",
      auth: "user",
      permission: "audit.read",
      params: z.object({ id: z.uuid() }),
      query: orgQuery,
      responses: { 200: { description: "The entry", schema: dataOf(auditEntryDetailSchema) } },
    }, async (c, { params, query }) =>
      c.json({
        data: await db.asTenant(
          c.get("claims"),
          (tx) => getAuditEntry(tx, query.org_id, params.id),
        ),
      }))
    .on({
      method: "get",
      path: "/verify",
      summary: "Verify the organization's hash chain; names the first broken link",
      auth: "user",
      permission: "audit.read",
      query: orgQuery,
      responses: {
        200: { description: "The verification", schema: dataOf(auditVerificationSchema) },
      },
    }, async (c, { query }) =>
      c.json({
        data: await db.asTenant(c.get("claims"), (tx) => verifyAuditChain(tx, query.org_id)),
      }))
    .on(
      {
        method: "get",
        path: "/sign-ins",
        summary: "Sign-ins, failed sign-ins and sign-outs of members and former members",
        auth: "user",
        permission: "audit.read",
        query: signInQuerySchema,
        responses: {
          200: {
            description: "Newest first",
            schema: z.object({ data: z.array(signInEventSchema) }),
          },
        },
      },
      async (c, { query }) =>
        c.json({ data: await db.asTenant(c.get("claims"), (tx) => listSignInEvents(tx, query)) }),
    )
    .on(
      {
        method: "get",
        path: "/access-review",
        summary: "Who held which role in the organization during a period, and who changed it",
        auth: "user",
        permission: "audit.read",
        query: accessReviewQuerySchema,
        responses: {
          200: {
            description: "Role periods, and when the retained audit history starts",
            schema: accessReviewSchema,
          },
        },
      },
      async (c, { query }) =>
        c.json(await db.asTenant(c.get("claims"), (tx) => accessReview(tx, query))),
    )
    .on({
      method: "get",
      path: "/access-review.csv",
      summary: "The access review as CSV (the download is itself recorded)",
      auth: "user",
      permission: "audit.read",
      query: accessReviewQuerySchema,
      responses: { 200: csvDeclaration },
    }, async (c, { query }) => {
      const csv = await db.asTenant(c.get("claims"), async (tx) => {
        const { data: periods, history_starts_at } = await accessReview(tx, query);
        await recordAuditEvent(tx, {
          orgId: query.org_id,
          action: "audit.access_review_exported",
          targetTable: "audit_log",
          details: { from: query.from, to: query.to, rows: periods.length },
        });
        return accessReviewCsv(periods, history_starts_at);
      });
      return csvResponse(csv, `access-review-${day(query.from)}-${day(query.to)}.csv`);
    })
    .on({
      method: "get",
      path: "/entries.csv",
      summary: "The filtered audit entries as CSV, oldest first (the download is itself recorded)",
      auth: "user",
      permission: "audit.read",
      query: auditFilterSchema,
      responses: { 200: csvDeclaration },
    }, async (c, { query }) => {
      const csv = await db.asTenant(c.get("claims"), async (tx) => {
        const text = await auditEntriesCsv(allAuditEntries(tx, query));
        const { org_id: _, ...filters } = query;
        await recordAuditEvent(tx, {
          orgId: query.org_id,
          action: "audit.exported",
          targetTable: "audit_log",
          details: { filters },
        });
        return text;
      });
      return csvResponse(csv, `audit-${day(undefined)}.csv`);
    });
}
