import type { Context } from "hono";
import { z } from "zod";
import { type AppEnv, createRouteGroup, type Services } from "../../../shared/http/mod.ts";
import { applyUnsubscribe, verifyUnsubscribeToken } from "../../../shared/notifications/mod.ts";

const tokenQuery = z.object({ token: z.string().min(1).max(2000) }).strict();

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(c: Context<AppEnv>, status: 200, title: string, body: string): Response {
  c.header("Cache-Control", "no-store");
  c.header(
    "Content-Security-Policy",
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  );
  c.header("Referrer-Policy", "no-referrer");
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
      `<meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<title>${escapeHtml(title)} – ComplianceIQ</title></head>` +
      `<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">` +
      `<main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
    status,
  );
}

const what = (event: string) =>
  event === "all" ? "every ComplianceIQ email of this organization" : `emails about “${event}”`;

/**
 * The unsubscribe link of every member email, without sign-in (the signed token
 * is the credential): `GET` asks for confirmation, `POST` applies it — also the
 * RFC 8058 one-click POST mail clients send for `List-Unsubscribe-Post`.
 */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function unsubscribeRoutes(services: Services) {
  const { db } = services;
  return createRouteGroup()
    .on({
      method: "get",
      path: "/unsubscribe",
      summary: "The unsubscribe link's confirmation page (no sign-in; the token is the credential)",
      auth: "public",
      query: tokenQuery,
      responses: {
        200: { description: "An HTML page with a confirm button", contentType: "text/html" },
      },
    }, async (c, { query }) => {
      const u = await verifyUnsubscribeToken(db, query.token);
      return page(
        c,
        200,
        "Unsubscribe",
        `<p>Stop sending you ${
          escapeHtml(what(u.event))
        }? In-app notifications are not affected; ` +
          `you can change this any time under Settings → My notifications.</p>` +
          `<form method="post" action="?token=${encodeURIComponent(query.token)}">` +
          `<button type="submit">Unsubscribe</button></form>`,
      );
    })
    .on({
      method: "post",
      path: "/unsubscribe",
      summary: "Unsubscribe (one click, RFC 8058); no sign-in, the token is the credential",
      auth: "public",
      query: tokenQuery,
      responses: {
        200: { description: "An HTML page saying it is done", contentType: "text/html" },
      },
    }, async (c, { query }) => {
      const u = await verifyUnsubscribeToken(db, query.token);
      await applyUnsubscribe(db, u);
      return page(
        c,
        200,
        "You are unsubscribed",
        `<p>You will no longer receive ${escapeHtml(what(u.event))}.</p>`,
      );
    });
}
