import { z } from "zod";
import { createRouteGroup, dataOf } from "../../../shared/http/mod.ts";
import {
  createDefinition,
  createDefinitionSchema,
  definitionApiSchema,
  deleteDefinition,
  getDefinition,
  listDefinitions,
  type ReportServices,
  updateDefinition,
  updateDefinitionSchema,
} from "../../../shared/reports/mod.ts";

/** Query of `GET /reports/definitions`. */
export const listDefinitionsQuery = z.object({ org_id: z.uuid() });
/** Response of `GET /reports/definitions`. */
export const listDefinitionsResponse = z.object({ data: z.array(definitionApiSchema) });
/** Body of `POST /reports/definitions`. */
export const createDefinitionBody = createDefinitionSchema;
/** Body of `PATCH /reports/definitions/:id`. */
export const updateDefinitionBody = updateDefinitionSchema;
/** Response of every route that returns one saved report. */
export const definitionResponse = dataOf(definitionApiSchema);

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
        responses: { 200: { description: "The saved reports", schema: listDefinitionsResponse } },
      },
      async (c, { query }) =>
        c.json({ data: await listDefinitions(services.db, c.get("claims"), query.org_id) }),
    )
    .on(
      {
        method: "post",
        path: "/definitions",
        summary: "Save a report: scope, sections, format, optionally a schedule and recipients",
        description: "A schedule or recipients need `reports.schedule` (admin or owner).",
        auth: "user",
        permission: "reports.generate",
        body: createDefinitionBody,
        responses: { 201: { description: "The saved report", schema: definitionResponse } },
      },
      async (c, { body }) =>
        c.json({ data: await createDefinition(services.db, c.get("claims"), body) }, 201),
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
      description: "Changing its schedule or recipients needs `reports.schedule` (admin or owner).",
      auth: "user",
      permission: "reports.generate",
      params: definitionParams,
      body: updateDefinitionBody,
      responses: { 200: { description: "The changed report", schema: definitionResponse } },
    }, async (c, { params, body }) =>
      c.json({
        data: await updateDefinition(services.db, c.get("claims"), params.id, body),
      }))
    .on(
      {
        method: "delete",
        path: "/definitions/:id",
        summary: "Delete a saved report (its generated files stay)",
        description: "Deleting a scheduled one needs `reports.schedule` (admin or owner).",
        auth: "user",
        permission: "reports.generate",
        params: definitionParams,
        responses: { 200: { description: "The deleted report", schema: definitionResponse } },
      },
      async (c, { params }) =>
        c.json({ data: await deleteDefinition(services.db, c.get("claims"), params.id) }),
    );
}
