import { createRouteGroup, pageOf, type RouteGroup } from "../../../shared/http/mod.ts";
import {
  deliveryApiSchema,
  listDeliveries,
  listDeliveriesQuerySchema,
  type ReportServices,
} from "../../../shared/reports/mod.ts";

/** Response of `GET /reports/deliveries`. */
export const listDeliveriesResponse = pageOf(deliveryApiSchema);

/** Deliveries of scheduled reports by email and webhook, with their status and response code. */
export function deliveryRoutes(services: ReportServices): RouteGroup {
  return createRouteGroup().on({
    method: "get",
    path: "/deliveries",
    summary: "Deliveries of scheduled reports by email and webhook, newest first, in pages",
    description: "Filter by saved report (`definition_id`) or generated file (`export_id`).",
    auth: "user",
    permission: "reports.read",
    query: listDeliveriesQuerySchema,
    responses: { 200: { description: "A page of deliveries", schema: listDeliveriesResponse } },
  }, async (c, { query }) => c.json(await listDeliveries(services.db, c.get("claims"), query)));
}
