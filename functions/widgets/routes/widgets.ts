import { z } from "zod";
import { createRouteGroup, dataOf, pageOf, type Services } from "../../../shared/http/mod.ts";
import { instanceIdsParam } from "../../../shared/posture/mod.ts";
import {
  createWidget,
  createWidgetSchema,
  deleteWidget,
  getWidget,
  listVersions,
  listWidgets,
  listWidgetsQuerySchema,
  parseWidgetConfig,
  readWidgetData,
  requireWidget,
  rollbackSchema,
  rollbackWidget,
  TEMPLATE_IDS,
  templateOf,
  updateWidget,
  updateWidgetSchema,
  versionOf,
  WIDGET_TEMPLATES,
  widgetSchema,
  widgetVersionSchema,
} from "../../../shared/widgets/mod.ts";

const widgetParams = z.object({ widgetId: z.uuid() });

const templateSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  /** The configuration's JSON Schema (defaults included). */
  config_schema: z.record(z.string(), z.unknown()),
  /** The configuration with every default. */
  defaults: z.record(z.string(), z.unknown()),
});

const widgetDataSchema = z.object({
  widget_id: z.uuid(),
  version: z.number().int(),
  template: z.string(),
  title: z.string(),
  generated_at: z.string(),
  data: z.unknown(),
});

const previewSchema = z.object({
  org_id: z.uuid(),
  template: z.enum(TEMPLATE_IDS),
  config: z.record(z.string(), z.unknown()).default({}),
}).strict();

const previewDataSchema = widgetDataSchema.omit({ widget_id: true, version: true });

function templates() {
  return Object.values(WIDGET_TEMPLATES).map((t) => ({
    id: t.id,
    title: t.title,
    description: t.description,
    config_schema: z.toJSONSchema(t.config, { io: "input", unrepresentable: "any" }) as Record<
      string,
      unknown
    >,
    defaults: t.config.parse({}) as Record<string, unknown>,
  }));
}

/** The configuration with a dashboard's framework filter, for a template that takes one. */
function withFramework(
  template: string,
  config: Record<string, unknown>,
  framework: string | undefined,
): Record<string, unknown> {
  return framework && "framework" in templateOf(template).config.shape
    ? { ...config, framework }
    : config;
}

/** Templates, widgets, their versions, rollback and previews of their data. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function widgetRoutes(services: Services) {
  return createRouteGroup()
    .on({
      method: "get",
      path: "/templates",
      summary: "Widget templates: what each shows and its configuration schema with defaults",
      auth: "user",
      responses: {
        200: { description: "Every template", schema: dataOf(z.array(templateSchema)) },
      },
    }, (c) => c.json({ data: templates() }))
    .on({
      method: "post",
      path: "/preview",
      summary: "The data a configuration would show, before it is saved (the editor's preview)",
      auth: "user",
      permission: "widgets.read",
      body: previewSchema,
      responses: { 200: { description: "The data", schema: dataOf(previewDataSchema) } },
    }, async (c, { body }) => {
      const config = parseWidgetConfig(body.template, body.config);
      const { value, hit } = await readWidgetData(
        services,
        c.get("claims"),
        body.template,
        config,
        {
          org_id: body.org_id,
        },
      );
      c.header("X-Cache", hit ? "hit" : "miss");
      return c.json({ data: value });
    })
    .on(
      {
        method: "get",
        path: "/",
        summary: "The organization's widgets with their current configuration",
        auth: "user",
        permission: "widgets.read",
        query: listWidgetsQuerySchema,
        responses: {
          200: { description: "A page of widgets, newest first", schema: pageOf(widgetSchema) },
        },
      },
      async (c, { query }) =>
        c.json(await listWidgets(services.db, c.get("claims"), query.org_id, query)),
    )
    .on(
      {
        method: "post",
        path: "/",
        summary: "Create a widget from a template (version 1)",
        auth: "user",
        permission: "widgets.write",
        body: createWidgetSchema,
        responses: { 201: { description: "The widget", schema: dataOf(widgetSchema) } },
      },
      async (c, { body }) =>
        c.json({ data: await createWidget(services.db, c.get("claims"), body) }, 201),
    )
    .on(
      {
        method: "get",
        path: "/:widgetId",
        summary: "One widget with its current configuration",
        auth: "user",
        permission: "widgets.read",
        params: widgetParams,
        responses: { 200: { description: "The widget", schema: dataOf(widgetSchema) } },
      },
      async (c, { params }) =>
        c.json({ data: await getWidget(services.db, c.get("claims"), params.widgetId) }),
    )
    .on(
      {
        method: "patch",
        path: "/:widgetId",
        summary: "Rename a widget and/or save a new configuration (a new version)",
        auth: "user",
        permission: "widgets.write",
        params: widgetParams,
        body: updateWidgetSchema,
        responses: { 200: { description: "The widget", schema: dataOf(widgetSchema) } },
      },
      async (c, { params, body }) =>
        c.json({ data: await updateWidget(services.db, c.get("claims"), params.widgetId, body) }),
    )
    .on({
      method: "delete",
      path: "/:widgetId",
      summary: "Delete a widget and its versions (409 while an embed of it is live)",
      auth: "user",
      permission: "widgets.write",
      params: widgetParams,
      responses: { 204: { description: "Deleted" } },
    }, async (c, { params }) => {
      await deleteWidget(services.db, c.get("claims"), params.widgetId);
      return c.body(null, 204);
    })
    .on(
      {
        method: "get",
        path: "/:widgetId/versions",
        summary: "Every version of a widget, newest first (versions never change)",
        auth: "user",
        permission: "widgets.read",
        params: widgetParams,
        responses: {
          200: { description: "The versions", schema: dataOf(z.array(widgetVersionSchema)) },
        },
      },
      async (c, { params }) =>
        c.json({ data: await listVersions(services.db, c.get("claims"), params.widgetId) }),
    )
    .on({
      method: "post",
      path: "/:widgetId/rollback",
      summary: "Roll back: save a new version with an older version's configuration",
      auth: "user",
      permission: "widgets.write",
      params: widgetParams,
      body: rollbackSchema,
      responses: { 200: { description: "The widget", schema: dataOf(widgetSchema) } },
    }, async (c, { params, body }) =>
      c.json({
        data: await rollbackWidget(services.db, c.get("claims"), params.widgetId, body.version),
      }))
    .on({
      method: "get",
      path: "/:widgetId/data",
      summary: "A widget version's data (the current version by default), from the posture cache",
      auth: "user",
      permission: "widgets.read",
      params: widgetParams,
      query: z.object({
        version: z.coerce.number().int().min(1).optional(),
        /** A dashboard's filter: only these instances (comma-separated ids). */
        instance_ids: instanceIdsParam.optional(),
        /** A dashboard's filter: this framework, for templates that take one. */
        framework: z.string().regex(/^[a-z0-9_]{1,60}$/).optional(),
      }).strict(),
      responses: { 200: { description: "The data", schema: dataOf(widgetDataSchema) } },
    }, async (c, { params, query }) => {
      const claims = c.get("claims");
      const { widget, version } = await services.db.asTenant(claims, async (tx) => {
        const widget = await requireWidget(tx, params.widgetId, "widgets.read");
        return { widget, version: await versionOf(tx, widget, query.version) };
      });
      const { value, hit } = await readWidgetData(
        services,
        claims,
        widget.template,
        withFramework(widget.template, version.config, query.framework),
        { org_id: widget.org_id, instance_ids: query.instance_ids },
      );
      c.header("X-Cache", hit ? "hit" : "miss");
      return c.json({ data: { widget_id: widget.id, version: version.version, ...value } });
    });
}
