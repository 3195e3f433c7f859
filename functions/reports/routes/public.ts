import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, readParam } from "../../../shared/http/mod.ts";
import { downloadByLink, type ReportServices } from "../../../shared/reports/mod.ts";
import { fileResponse } from "./exports.ts";

/** Path parameter of `GET /reports/links/:token`. */
export const linkTokenParam = z.string().regex(/^rpt_[A-Za-z0-9_-]{43}$/);

/** Routes that need no sign-in: downloads through a link (the token is the credential). */
export function publicRoutes(services: ReportServices): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/links/:token", async (c) => {
    const token = readParam(c, "token", z.string().max(100));
    return fileResponse(await downloadByLink(services, token));
  });
  return routes;
}
