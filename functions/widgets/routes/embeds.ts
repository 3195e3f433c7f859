import { z } from "zod";
import { meter } from "../../../shared/billing/mod.ts";
import {
  createRouteGroup,
  dataOf,
  rateLimiterFor,
  refuseIfOver,
  type Services,
} from "../../../shared/http/mod.ts";
import {
  createdEmbedSchema,
  createEmbed,
  createEmbedSchema,
  embedCsp,
  embedOriginsSchema,
  embedSchema,
  listEmbedOrigins,
  listEmbeds,
  moveEmbed,
  moveEmbedSchema,
  readWidgetData,
  renderEmbedPage,
  resolveEmbed,
  revokeEmbed,
  setEmbedOrigins,
} from "../../../shared/widgets/mod.ts";

const orgQuery = z.object({ org_id: z.uuid() }).strict();
const originsSchema = z.object({ origins: z.array(z.string()) });

/** Views per embed per minute (each viewer's page load is one). */
export const EMBED_RATE_LIMIT = { name: "embed", limit: 600, windowSeconds: 60 };

const embedDataSchema = z.object({
  template: z.string(),
  title: z.string(),
  generated_at: z.string(),
  data: z.unknown(),
});

/** Embeds and the allow-list of origins (admins). */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function embedRoutes(services: Services) {
  return createRouteGroup()
    .on(
      {
        method: "get",
        path: "/embeds",
        summary: "The organization's embeds, live ones first (never the tokens)",
        auth: "user",
        permission: "widgets.embed",
        query: orgQuery,
        responses: { 200: { description: "Embeds", schema: dataOf(z.array(embedSchema)) } },
      },
      async (c, { query }) =>
        c.json({ data: await listEmbeds(services.db, c.get("claims"), query.org_id) }),
    )
    .on({
      method: "post",
      path: "/embeds/:embedId/revoke",
      summary: "Revoke an embed: its token answers 410 from the next view on",
      auth: "user",
      permission: "widgets.embed",
      params: z.object({ embedId: z.uuid() }),
      query: orgQuery,
      responses: { 200: { description: "The revoked embed", schema: dataOf(embedSchema) } },
    }, async (c, { params, query }) =>
      c.json({
        data: await revokeEmbed(services.db, c.get("claims"), query.org_id, params.embedId),
      }))
    .on({
      method: "post",
      path: "/embeds/:embedId/move",
      summary: "Pin an embed to another version of its widget",
      auth: "user",
      permission: "widgets.embed",
      params: z.object({ embedId: z.uuid() }),
      query: orgQuery,
      body: moveEmbedSchema,
      responses: { 200: { description: "The embed", schema: dataOf(embedSchema) } },
    }, async (c, { params, query, body }) =>
      c.json({
        data: await moveEmbed(
          services.db,
          c.get("claims"),
          query.org_id,
          params.embedId,
          body.version,
        ),
      }))
    .on({
      method: "get",
      path: "/origins",
      summary: "Origins allowed to frame the organization's embeds",
      auth: "user",
      permission: "widgets.read",
      query: orgQuery,
      responses: { 200: { description: "The allow-list", schema: dataOf(originsSchema) } },
    }, async (c, { query }) =>
      c.json({
        data: { origins: await listEmbedOrigins(services.db, c.get("claims"), query.org_id) },
      }))
    .on(
      {
        method: "put",
        path: "/origins",
        summary: "Replace the allow-list of origins that may frame embeds",
        auth: "user",
        permission: "widgets.embed",
        body: embedOriginsSchema,
        responses: { 200: { description: "The allow-list", schema: dataOf(originsSchema) } },
      },
      async (c, { body }) =>
        c.json({ data: { origins: await setEmbedOrigins(services.db, c.get("claims"), body) } }),
    )
    .on({
      method: "post",
      path: "/:widgetId/embeds",
      summary: "Embed a widget version; the token is shown only in this answer",
      auth: "user",
      permission: "widgets.embed",
      params: z.object({ widgetId: z.uuid() }),
      body: createEmbedSchema,
      responses: {
        201: {
          description: "The token (shown once) and the embed",
          schema: dataOf(createdEmbedSchema),
        },
      },
    }, async (c, { params, body }) => {
      const data = await createEmbed(services.db, c.get("claims"), params.widgetId, body);
      c.header("Cache-Control", "no-store");
      return c.json({ data }, 201);
    });
}

async function embedView(services: Services, token: string) {
  const embed = await resolveEmbed(services.db.sql, token);
  refuseIfOver(
    await rateLimiterFor(services.cache).consume(`embed:${embed.id}`, EMBED_RATE_LIMIT)
      .catch(() => null),
  );
  const { value, hit } = await readWidgetData(services, null, embed.template, embed.config, {
    org_id: embed.org_id,
    instance_ids: embed.instance_ids ?? undefined,
  });
  await meter(services.cache, embed.org_id, "embed_views", services.log);
  return { embed, value, hit };
}

/** The public embed endpoints: the token in the path is the only credential. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function publicEmbedRoutes(services: Services) {
  return createRouteGroup()
    .on({
      method: "get",
      path: "/embed/:token{ciq_embed_[0-9a-f]{32}_[A-Za-z0-9_-]{43}\\.json}",
      summary: "An embed's widget data as JSON (the token is the credential; 410 once revoked)",
      auth: "public",
      params: z.object({ token: z.string().max(200) }),
      responses: { 200: { description: "The widget's data", schema: dataOf(embedDataSchema) } },
    }, async (c, { params }) => {
      const { embed, value, hit } = await embedView(services, params.token.replace(/\.json$/, ""));
      const origin = c.req.header("origin");
      if (origin && embed.origins.includes(origin)) {
        c.header("Access-Control-Allow-Origin", origin);
        c.header("Vary", "Origin");
      }
      c.header("X-Cache", hit ? "hit" : "miss");
      c.header("Cache-Control", "private, no-store");
      return c.json({ data: value });
    })
    .on({
      method: "get",
      path: "/embed/:token",
      summary:
        "An embed's iframe-able page (no app chrome; light/dark; framed only by allowed origins)",
      auth: "public",
      params: z.object({ token: z.string().max(200) }),
      query: z.object({ theme: z.enum(["light", "dark"]).optional() }).strict(),
      responses: { 200: { description: "The page", contentType: "text/html" } },
    }, async (c, { params, query }) => {
      const { embed, value, hit } = await embedView(services, params.token);
      c.header("Content-Security-Policy", embedCsp(embed.origins));
      c.header("X-Cache", hit ? "hit" : "miss");
      c.header("Cache-Control", "private, no-store");
      return c.html(renderEmbedPage(embed.widget_name, value, query.theme ?? null));
    });
}
