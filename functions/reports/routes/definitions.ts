import { z } from "zod";
import { createRouteGroup, dataOf, pageOf } from "../../../shared/http/mod.ts";
import { jobSchema } from "../../../shared/tasks/mod.ts";
import {
  createDefinition,
  createDefinitionSchema,
  definitionApiSchema,
  deleteDefinition,
  deliverNow,
  getDefinition,
  listDefinitions,
  listDefinitionsQuerySchema,
  type ReportServices,
  rotateWebhookSecret,
  updateDefinition,
  updateDefinitionSchema,
} from "../../../shared/reports/mod.ts";

/** Query of `GET /reports/definitions`. */
export const listDefinitionsQuery = listDefinitionsQuerySchema;
/** Response of `GET /reports/definitions`: a page by name. */
export const listDefinitionsResponse = pageOf(definitionApiSchema);
/** Body of `POST /reports/definitions`. */
export const createDefinitionBody = createDefinitionSchema;
/** Body of `PATCH /reports/definitions/:id`. */
export const updateDefinitionBody = updateDefinitionSchema;
/** Response of every route that returns one saved report. */
export const definitionResponse = dataOf(definitionApiSchema);
/** Response of create and change: the saved report, and its new webhook secret (shown once). */
export const savedDefinitionResponse = z.object({
  data: definitionApiSchema,
  webhook_secret: z.string().nullable(),
});
/** Response of `POST /reports/definitions/:id/webhook-secret`. */
export const webhookSecretResponse = z.object({ data: z.object({ webhook_secret: z.string() }) });

const definitionParams = z.object({ id: z.uuid() });

/** Saved report definitions: list, create, read, change, delete. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function definitionRoutes(services: ReportServices) {
  return createRouteGroup()
    .on(
      {
        method: "get",
        path: "/definitions",
        summary: "An organization's saved reports, by name",
        auth: "user",
        permission: "reports.read",
        query: listDefinitionsQuery,
        responses: {
          200: { description: "A page of saved reports, by name", schema: listDefinitionsResponse },
        },
      },
      async (c, { query }) =>
        c.json(await listDefinitions(services.db, c.get("claims"), query.org_id, query)),
    )
    .on(
      {
        method: "post",
        path: "/definitions",
        summary:
          "Save a report: scope, sections, format, optionally a schedule, recipients and a webhook",
        description:
          "A schedule, recipients or a webhook need `reports.schedule` (admin or owner). A schedule " +
          "becomes a QStash schedule; a webhook gets a signing secret, answered once as `webhook_secret`.",
        auth: "user",
        permission: "reports.generate",
        body: createDefinitionBody,
        responses: {
          201: { description: "The saved report", schema: savedDefinitionResponse },
          422: { description: "The webhook URL is refused (not https, or a private address)" },
          503: { description: "The task queue did not accept the schedule" },
        },
      },
      async (c, { body }) => {
        const saved = await createDefinition(services, c.get("claims"), body);
        return c.json({ data: saved.definition, webhook_secret: saved.webhook_secret }, 201);
      },
    )
    .on(
      {
        method: "get",
        path: "/definitions/:id",
        summary: "One saved report",
        auth: "user",
        permission: "reports.read",
        params: definitionParams,
        responses: { 200: { description: "The saved report", schema: definitionResponse } },
      },
      async (c, { params }) =>
        c.json({ data: await getDefinition(services.db, c.get("claims"), params.id) }),
    )
    .on({
      method: "patch",
      path: "/definitions/:id",
      summary: "Change a saved report",
      description:
        "Changing its schedule, recipients or webhook needs `reports.schedule` (admin or owner). " +
        "A new webhook URL gets a new secret, answered once as `webhook_secret`.",
      auth: "user",
      permission: "reports.generate",
      params: definitionParams,
      body: updateDefinitionBody,
      responses: {
        200: { description: "The changed report", schema: savedDefinitionResponse },
        422: { description: "The webhook URL is refused (not https, or a private address)" },
        503: { description: "The task queue did not accept the schedule" },
      },
    }, async (c, { params, body }) => {
      const saved = await updateDefinition(services, c.get("claims"), params.id, body);
      return c.json({ data: saved.definition, webhook_secret: saved.webhook_secret });
    })
    .on(
      {
        method: "post",
        path: "/definitions/:id/deliver",
        summary: "Generate a saved report now and send it to its recipients and webhook",
        description:
          "Runs what a firing of the schedule runs; follow the job, then `GET /reports/deliveries`.",
        auth: "user",
        permission: "reports.schedule",
        params: definitionParams,
        responses: {
          202: { description: "The job that generates and delivers", schema: dataOf(jobSchema) },
          409: { description: "The saved report has no recipients and no webhook" },
        },
      },
      async (c, { params }) =>
        c.json({ data: await deliverNow(services, c.get("claims"), params.id) }, 202),
    )
    .on({
      method: "post",
      path: "/definitions/:id/webhook-secret",
      summary: "Replace the webhook's signing secret (shown once)",
      auth: "user",
      permission: "reports.schedule",
      params: definitionParams,
      responses: {
        200: { description: "The new secret", schema: webhookSecretResponse },
        409: { description: "The saved report has no webhook" },
      },
    }, async (c, { params }) =>
      c.json({
        data: {
          webhook_secret: await rotateWebhookSecret(services.db, c.get("claims"), params.id),
        },
      }))
    .on(
      {
        method: "delete",
        path: "/definitions/:id",
        summary: "Delete a saved report and its schedule (its generated files stay)",
        description:
          "Deleting one with a schedule, recipients or a webhook needs `reports.schedule` (admin or owner).",
        auth: "user",
        permission: "reports.generate",
        params: definitionParams,
        responses: { 200: { description: "The deleted report", schema: definitionResponse } },
      },
      async (c, { params }) =>
        c.json({ data: await deleteDefinition(services, c.get("claims"), params.id) }),
    );
}
