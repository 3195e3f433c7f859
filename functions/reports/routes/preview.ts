import { z } from "zod";
import { createRouteGroup, dataOf } from "../../../shared/http/mod.ts";
import {
  previewReport,
  reportPreviewSchema,
  type ReportServices,
  reportSpecSchema,
} from "../../../shared/reports/mod.ts";

/** Body of `POST /reports/preview`. */
export const previewBody = z.object({ spec: reportSpecSchema }).strict();
/** Response of `POST /reports/preview`. */
export const previewResponse = dataOf(reportPreviewSchema);

/** The builder's live preview: a report's first page, from the content model. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function previewRoutes(services: ReportServices) {
  return createRouteGroup().on(
    {
      method: "post",
      path: "/preview",
      summary: "The first page of a report (its PDF cover) and the sections it lists, as data",
      description:
        "Reads the scope under the caller's row-level security; no file is made and nothing is recorded.",
      auth: "user",
      permission: "reports.read",
      body: previewBody,
      responses: { 200: { description: "The cover and the contents", schema: previewResponse } },
    },
    async (c, { body }) =>
      c.json({ data: await previewReport(services.db, c.get("claims"), body.spec) }),
  );
}
