import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, readJson, readParam, readQuery } from "../../../shared/http/mod.ts";
import {
  createDefinition,
  createDefinitionSchema,
  definitionSchema,
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
export const listDefinitionsResponse = z.object({ data: z.array(definitionSchema) });
/** Body of `POST /reports/definitions`. */
export const createDefinitionBody = createDefinitionSchema;
/** Body of `PATCH /reports/definitions/:id`. */
export const updateDefinitionBody = updateDefinitionSchema;
/** Response of every route that returns one saved report. */
export const definitionResponse = z.object({ data: definitionSchema });

/** Saved report definitions: list, create, read, change, delete. */
export function definitionRoutes(services: ReportServices): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const id = (c: Parameters<typeof readParam>[0]) => readParam(c, "id", z.uuid());

  routes.get("/definitions", async (c) => {
    const { org_id } = readQuery(c, listDefinitionsQuery);
    return c.json({ data: await listDefinitions(services.db, c.get("claims"), org_id) });
  });
  routes.post("/definitions", async (c) => {
    const input = await readJson(c, createDefinitionBody);
    return c.json({ data: await createDefinition(services.db, c.get("claims"), input) }, 201);
  });
  routes.get("/definitions/:id", async (c) => {
    return c.json({ data: await getDefinition(services.db, c.get("claims"), id(c)) });
  });
  routes.patch("/definitions/:id", async (c) => {
    const definitionId = id(c);
    const patch = await readJson(c, updateDefinitionBody);
    return c.json({
      data: await updateDefinition(services.db, c.get("claims"), definitionId, patch),
    });
  });
  routes.delete("/definitions/:id", async (c) => {
    return c.json({ data: await deleteDefinition(services.db, c.get("claims"), id(c)) });
  });
  return routes;
}
