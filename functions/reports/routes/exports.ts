import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, readJson, readParam, readQuery } from "../../../shared/http/mod.ts";
import {
  createLink,
  createLinkSchema,
  type Download,
  downloadExport,
  exportSchema,
  getExport,
  linkSchema,
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
export const exportResponse = z.object({ data: exportSchema });
/** Query of `GET /reports/exports`. */
export const listExportsQuery = listExportsQuerySchema;
/** Response of `GET /reports/exports`. */
export const listExportsResponse = z.object({
  data: z.array(exportSchema),
  next_cursor: z.string().nullable(),
});
/** Body of `POST /reports/exports/:id/links`. */
export const createLinkBody = createLinkSchema;
/** Response of `POST /reports/exports/:id/links`: the token and its URL, shown once. */
export const createLinkResponse = z.object({
  data: z.object({ link: linkSchema, token: z.string(), url: z.string() }),
});
/** Response of `GET /reports/exports/:id/links`. */
export const listLinksResponse = z.object({ data: z.array(linkSchema) });
/** Response of `POST /reports/links/:id/revoke`. */
export const linkResponse = z.object({ data: linkSchema });

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

/** Generated files: generate now, list with progress, read, download, links. */
export function exportRoutes(services: ReportServices): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const id = (c: Parameters<typeof readParam>[0]) => readParam(c, "id", z.uuid());

  routes.post("/exports", async (c) => {
    const input = await readJson(c, startExportBody);
    const data = await startExport(services, c.get("claims"), input);
    c.get("log").info("report export queued", { exportId: data.id, jobId: data.job_id });
    return c.json({ data }, 202);
  });
  routes.get("/exports", async (c) => {
    const query = readQuery(c, listExportsQuery);
    return c.json(await listExports(services.db, c.get("claims"), query));
  });
  routes.get("/exports/:id", async (c) => {
    return c.json({ data: await getExport(services.db, c.get("claims"), id(c)) });
  });
  routes.get("/exports/:id/download", async (c) => {
    return fileResponse(await downloadExport(services, c.get("claims"), id(c)));
  });
  routes.get("/exports/:id/links", async (c) => {
    return c.json({ data: await listLinks(services.db, c.get("claims"), id(c)) });
  });
  routes.post("/exports/:id/links", async (c) => {
    const exportId = id(c);
    const input = await readJson(c, createLinkBody);
    const created = await createLink(services, c.get("claims"), exportId, input);
    const link = new URL(c.req.url);
    link.pathname = link.pathname.replace(/\/exports\/[^/]+\/links$/, `/links/${created.token}`);
    link.search = "";
    const url = link.toString();
    return c.json({ data: { ...created, url } }, 201);
  });
  routes.post("/links/:id/revoke", async (c) => {
    return c.json({ data: await revokeLink(services.db, c.get("claims"), id(c)) });
  });
  return routes;
}
