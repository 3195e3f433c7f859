import { z } from "zod";
import { createRouteGroup, dataOf, type Services } from "../../../shared/http/mod.ts";
import {
  bulkMute,
  bulkMuteSchema,
  bulkResultSchema,
  bulkTriage,
  bulkTriageSchema,
  findingDetailSchema,
  findingGroupsQuerySchema,
  findingGroupsSchema,
  findingPageSchema,
  getFinding,
  listFindingGroups,
  listFindings,
  listFindingsQuerySchema,
  setTriage,
  triageSchema,
  triageViewSchema,
} from "../../../shared/analysis/mod.ts";
import { invalidatePosture } from "../../../shared/posture/mod.ts";

const findingParams = z.object({ findingId: z.uuid() });

/** Findings of a run, one finding in full, triage, and triage or mute of many at once. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function findingRoutes(services: Services) {
  return createRouteGroup()
    .on({
      method: "get",
      path: "/findings",
      summary: "Findings of a run (or an instance's latest), filtered and sorted, in pages",
      auth: "api_key",
      permission: "findings.read",
      query: listFindingsQuerySchema,
      responses: { 200: { description: "A page of findings", schema: findingPageSchema } },
    }, async (c, { query }) => c.json(await listFindings(services.db, c.get("claims"), query)))
    .on(
      {
        method: "get",
        path: "/findings/groups",
        summary: "A run's findings grouped by check: resources affected and the total",
        auth: "api_key",
        permission: "findings.read",
        query: findingGroupsQuerySchema,
        responses: { 200: { description: "The groups", schema: findingGroupsSchema } },
      },
      async (c, { query }) => c.json(await listFindingGroups(services.db, c.get("claims"), query)),
    )
    .on({
      method: "post",
      path: "/findings/bulk/triage",
      summary: "Set the triage state of up to 200 findings (all or nothing)",
      auth: "user",
      permission: "findings.triage",
      body: bulkTriageSchema,
      responses: { 200: { description: "What changed", schema: dataOf(bulkResultSchema) } },
    }, async (c, { body }) => {
      const data = await bulkTriage(services.db, c.get("claims"), body);
      c.get("log").info("findings triaged", { count: data.updated, state: body.state });
      if (data.updated > 0) await invalidatePosture(services.cache, data.org_id, "triage");
      return c.json({ data });
    })
    .on({
      method: "post",
      path: "/findings/bulk/mute",
      summary: "Mute up to 200 findings with one reason, owner and expiry (all or nothing)",
      auth: "user",
      permission: "suppressions.manage",
      body: bulkMuteSchema,
      responses: { 200: { description: "What changed", schema: dataOf(bulkResultSchema) } },
    }, async (c, { body }) => {
      const data = await bulkMute(services.db, c.get("claims"), body);
      c.get("log").info("findings muted", { count: data.updated });
      if (data.updated > 0) await invalidatePosture(services.cache, data.org_id, "suppression");
      return c.json({ data });
    })
    .on(
      {
        method: "get",
        path: "/findings/:findingId",
        summary: "One finding: evidence, history, triage and suppressions",
        auth: "api_key",
        permission: "findings.read",
        params: findingParams,
        responses: { 200: { description: "The finding", schema: dataOf(findingDetailSchema) } },
      },
      async (c, { params }) =>
        c.json({ data: await getFinding(services.db, c.get("claims"), params.findingId) }),
    )
    .on({
      method: "put",
      path: "/findings/:findingId/triage",
      summary: "Set a finding's triage state and note",
      auth: "user",
      permission: "findings.triage",
      params: findingParams,
      body: triageSchema,
      responses: { 200: { description: "The triage", schema: dataOf(triageViewSchema) } },
    }, async (c, { params, body }) => {
      const data = await setTriage(services.db, c.get("claims"), params.findingId, body);
      c.get("log").info("finding triaged", { findingId: params.findingId, state: body.state });
      const [finding] = await services.db.readAsTenant(
        c.get("claims"),
        (tx) =>
          tx<{ org_id: string }[]>`select org_id from public.analysis_findings
                                    where id = ${params.findingId}`,
      );
      if (finding) await invalidatePosture(services.cache, finding.org_id, "triage");
      return c.json({ data });
    });
}
