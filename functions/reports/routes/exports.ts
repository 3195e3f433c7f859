import { z } from "zod";
import { createRouteGroup, dataOf, pageOf } from "../../../shared/http/mod.ts";
import {
  createLink,
  createLinkSchema,
  type Download,
  downloadExport,
  exportApiSchema,
  getExport,
  linkApiSchema,
  linkUrl,
  listExports,
  listExportsQuerySchema,
  listLinks,
  type ReportServices,
  revokeLink,
  startExport,
  startExportSchema,
} from "../../../shared/reports/mod.ts";

/** Body of `POST /reports/exports`. */
export const startExportBody = startExportSchema;
/** Response of `POST /reports/exports` and `GET /reports/exports/:id`. */
export const exportResponse = dataOf(exportApiSchema);
/** Query of `GET /reports/exports`. */
export const listExportsQuery = listExportsQuerySchema;
/** Response of `GET /reports/exports`. */
export const listExportsResponse = pageOf(exportApiSchema);
/** Body of `POST /reports/exports/:id/links`. */
export const createLinkBody = createLinkSchema;
/** Response of `POST /reports/exports/:id/links`: the token and its URL, shown once. */
export const createLinkResponse = dataOf(
  z.object({ link: linkApiSchema, token: z.string(), url: z.url() }).strict(),
);
/** Response of `GET /reports/exports/:id/links`. */
export const listLinksResponse = z.object({ data: z.array(linkApiSchema) });
/** Response of `POST /reports/links/:id/revoke`. */
export const linkResponse = dataOf(linkApiSchema);

/** How a file response is declared: its bytes, no JSON schema. */
export const fileResponseDeclaration = {
  description: "The file, streamed (`content-disposition` names it, `x-content-sha256` its digest)",
  contentType: "application/octet-stream",
};

/** The HTTP response of a file: streamed, with its name, type, size and digest. */
export function fileResponse(download: Download): Response {
  const ascii = download.filename.replace(/[^\x20-\x7e]/g, "_").replaceAll('"', "");
  return new Response(download.body, {
    headers: {
      "content-type": download.content_type,
      "content-length": String(download.byte_size),
      "content-disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${
        encodeURIComponent(download.filename)
      }`,
      "x-content-sha256": download.sha256,
      "cache-control": "private, no-store",
    },
  });
}

const exportParams = z.object({ id: z.uuid() });

/** Generated files: generate now, list with progress, read, download, links. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function exportRoutes(services: ReportServices) {
  return createRouteGroup()
    .on({
      method: "post",
      path: "/exports",
      summary:
        "Generate a file (PDF, Excel, CSV, JSON or evidence pack) from a spec or a saved report",
      auth: "user",
      permission: "reports.generate",
      body: startExportBody,
      responses: { 202: { description: "The queued export and its job", schema: exportResponse } },
    }, async (c, { body }) => {
      const data = await startExport(services, c.get("claims"), body);
      c.get("log").info("report export queued", { exportId: data.id, jobId: data.job_id });
      return c.json({ data }, 202);
    })
    .on({
      method: "get",
      path: "/exports",
      summary: "An organization's generated files, newest first, with progress, in pages",
      auth: "user",
      permission: "reports.read",
      query: listExportsQuery,
      responses: { 200: { description: "A page of generated files", schema: listExportsResponse } },
    }, async (c, { query }) => c.json(await listExports(services.db, c.get("claims"), query)))
    .on(
      {
        method: "get",
        path: "/exports/:id",
        summary: "One generated file, with its job's progress",
        auth: "user",
        permission: "reports.read",
        params: exportParams,
        responses: { 200: { description: "The generated file", schema: exportResponse } },
      },
      async (c, { params }) =>
        c.json({ data: await getExport(services.db, c.get("claims"), params.id) }),
    )
    .on(
      {
        method: "get",
        path: "/exports/:id/download",
        summary: "Download a generated file (recorded)",
        auth: "user",
        permission: "reports.read",
        params: exportParams,
        responses: { 200: fileResponseDeclaration },
      },
      async (c, { params }) =>
        fileResponse(await downloadExport(services, c.get("claims"), params.id)),
    )
    .on(
      {
        method: "get",
        path: "/exports/:id/links",
        summary: "The links of a generated file (never their tokens)",
        auth: "user",
        permission: "reports.read",
        params: exportParams,
        responses: { 200: { description: "The links", schema: listLinksResponse } },
      },
      async (c, { params }) =>
        c.json({ data: await listLinks(services.db, c.get("claims"), params.id) }),
    )
    .on({
      method: "post",
      path: "/exports/:id/links",
      summary: "Make a link that downloads the file without signing in (token shown once)",
      description: "A share link (`kind: share`) needs `reports.share` (admin or owner).",
      auth: "user",
      permission: "reports.read",
      params: exportParams,
      body: createLinkBody,
      responses: {
        201: { description: "The link, its token and URL", schema: createLinkResponse },
      },
    }, async (c, { params, body }) => {
      const created = await createLink(services, c.get("claims"), params.id, body);
      // Behind Supabase's gateway the function does not see its public path
      // (`/functions/v1/…`): the public URL names it; the request's own URL is
      // the fallback where none is configured.
      const publicUrl = services.config.PUBLIC_URL;
      let url: string;
      if (publicUrl) {
        url = linkUrl(publicUrl, created.token);
      } else {
        const link = new URL(c.req.url);
        link.pathname = link.pathname.replace(
          /\/exports\/[^/]+\/links$/,
          `/links/${created.token}`,
        );
        link.search = "";
        url = link.toString();
      }
      return c.json({ data: { ...created, url } }, 201);
    })
    .on(
      {
        method: "post",
        path: "/links/:id/revoke",
        summary: "Revoke a link: it stops working at once",
        auth: "user",
        permission: "reports.share",
        params: z.object({ id: z.uuid() }),
        responses: { 200: { description: "The revoked link", schema: linkResponse } },
      },
      async (c, { params }) =>
        c.json({ data: await revokeLink(services.db, c.get("claims"), params.id) }),
    );
}
