import { z } from "zod";
import { createRouteGroup, type RouteGroup } from "../../../shared/http/mod.ts";
import {
  currentPackKey,
  downloadByLink,
  type ReportServices,
} from "../../../shared/reports/mod.ts";
import { fileResponse, fileResponseDeclaration } from "./exports.ts";

/** Path parameter of `GET /reports/links/:token`. */
export const linkTokenParam = z.string().regex(/^rpt_[A-Za-z0-9_-]{43}$/);

/** Response of `GET /reports/.well-known/jwks.json`: the keys evidence packs are signed with. */
export const jwksResponse = z.object({
  keys: z.array(
    z.object({
      kty: z.literal("OKP"),
      crv: z.literal("Ed25519"),
      x: z.string(),
      kid: z.string(),
      alg: z.literal("EdDSA"),
      use: z.literal("sig"),
    }).strict(),
  ),
}).strict();

/** Routes that need no sign-in: the signing key, and downloads through a link (the token is the credential). */
export function publicRoutes(services: ReportServices): RouteGroup {
  return createRouteGroup()
    .on({
      method: "get",
      path: "/.well-known/jwks.json",
      summary: "The public key evidence packs are signed with (JWKS)",
      auth: "public",
      responses: { 200: { description: "The signing keys", schema: jwksResponse } },
    }, async (c) => {
      const key = await currentPackKey();
      c.header("cache-control", "public, max-age=300");
      return c.json({ keys: [key.publicJwk] });
    })
    .on({
      method: "get",
      path: "/links/:token",
      summary: "Download a file through a link (recorded); the token is the credential",
      description: "An unknown, expired or revoked link answers 404 without saying which.",
      auth: "public",
      // Any token shape reaches the service, which answers every bad one with the same 404.
      params: z.object({ token: z.string().max(100) }),
      responses: { 200: fileResponseDeclaration },
    }, async (_c, { params }) => fileResponse(await downloadByLink(services, params.token)));
}
