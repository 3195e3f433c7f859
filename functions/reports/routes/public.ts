import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, readParam } from "../../../shared/http/mod.ts";
import {
  currentPackKey,
  downloadByLink,
  type ReportServices,
} from "../../../shared/reports/mod.ts";
import { fileResponse } from "./exports.ts";

/** Path parameter of `GET /reports/links/:token`. */
export const linkTokenParam = z.string().regex(/^rpt_[A-Za-z0-9_-]{43}$/);

/** Response of `GET /reports/.well-known/jwks.json`: the keys evidence packs are signed with. */
export const jwksResponse = z.object({
  keys: z.array(z.object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: z.string(),
    kid: z.string(),
    alg: z.literal("EdDSA"),
    use: z.literal("sig"),
  })),
});

/** Routes that need no sign-in: downloads through a link (the token is the credential). */
export function publicRoutes(services: ReportServices): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/.well-known/jwks.json", async (c) => {
    const key = await currentPackKey();
    c.header("cache-control", "public, max-age=300");
    return c.json({ keys: [key.publicJwk] });
  });
  routes.get("/links/:token", async (c) => {
    const token = readParam(c, "token", z.string().max(100));
    return fileResponse(await downloadByLink(services, token));
  });
  return routes;
}
