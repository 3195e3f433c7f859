// Plan regression for the findings list on a seed-scale shape (a run with
// 100,000 finding results): every sort and filter reads one page's worth of
// rows off an index, never sorts the run, and looks up triage and mutes for
// the page's rows only. Plans are read with EXPLAIN ANALYZE (row and loop
// counts, no timings) of the statement listFindings runs, as the API's role.
import assert from "node:assert/strict";
import { createTestDatabase } from "../../../scripts/testing/mod.ts";
import {
  assertPagePlan,
  buildPlanShape,
  explainPlan,
  type PlanNode,
  planNodes,
  rowsProduced,
} from "../../../scripts/testing/plan_shape.ts";
import { listFindings, listFindingsQuerySchema } from "./findings.ts";
import { FINDINGS_PLANNER, findingsCursor, findingsPageQuery } from "./list_query.ts";

const TENANT_TABLES = /^(analysis_|instances$|organizations$|memberships$|profiles$)/;
const LIMIT = 20;

/** What a plan must not do to return one page of `limit` rows. */
function assertFindingsPagePlan(plan: PlanNode, label: string, walkBound: number): void {
  assertPagePlan(plan, {
    label,
    tenant: (relation) => TENANT_TABLES.test(relation),
    walkBound,
    bounded: /^analysis_(findings|finding_results)$/,
    probed: { tables: /^analysis_(suppressions|finding_triage)$/, loops: LIMIT + 1 },
  });
}

Deno.test("findings list: one page of a 100,000-finding run reads a page's worth of rows, by index", async (t) => {
  const test = await createTestDatabase();
  try {
    const shape = await buildPlanShape(test.url);
    const plan = async (params: Record<string, string>, cursor?: string[] | null) => {
      const query = listFindingsQuerySchema.parse({ limit: String(LIMIT), ...params });
      return await explainPlan(
        test.db,
        shape.claims,
        (tx) => findingsPageQuery(tx, query, cursor ?? null, LIMIT + 1),
        FINDINGS_PLANNER,
      );
    };
    const byInstance = { instance_id: shape.bigInstanceId };

    for (const sort of ["severity", "check", "resource", "first_seen", "last_seen"]) {
      await t.step(`sort ${sort}: first page and the page after it`, async () => {
        const params = { ...byInstance, sort };
        const page = await listFindings(
          test.db,
          shape.claims,
          listFindingsQuerySchema.parse({ ...params, limit: String(LIMIT) }),
        );
        assert.equal(page.data.length, LIMIT);
        assertFindingsPagePlan(await plan(params), `${sort} page 1`, 10 * LIMIT);
        const cursor = findingsCursor(sort as "severity", page.next_cursor!);
        assertFindingsPagePlan(await plan(params, cursor), `${sort} page 2`, 10 * LIMIT);
      });
    }

    await t.step(
      "filters on the check narrow the walk; mute and triage filters test walked rows only",
      async () => {
        assertFindingsPagePlan(
          await plan({ ...byInstance, severity: "critical" }),
          "severity",
          10 * LIMIT,
        );
        assertFindingsPagePlan(
          await plan({ run_id: shape.bigRunId, status: "FAIL" }),
          "status",
          10 * LIMIT,
        );
        // Muted and triaged rows are a minority: the walk reads more rows, yet
        // never the whole run, and probes mutes and triage once per row walked.
        for (
          const params of [{ muted: "true" }, { triage: "risk_accepted" }] as Record<
            string,
            string
          >[]
        ) {
          const nodes = planNodes(await plan({ ...byInstance, ...params }));
          const walked = Math.max(
            ...nodes.filter((n) => n["Relation Name"] === "analysis_finding_results")
              .map(rowsProduced),
          );
          assert.ok(
            walked < shape.bigRunFindings / 10,
            `${JSON.stringify(params)} walked ${walked}`,
          );
          assert.ok(
            !nodes.some((n) =>
              n["Node Type"] === "Seq Scan" && TENANT_TABLES.test(n["Relation Name"] ?? "")
            ),
          );
        }
      },
    );

    await t.step("pages in index order are the list's order: sorted, each row once", async () => {
      const seen = new Set<string>();
      let cursor: string | undefined;
      let previous: [number, string, string, string] | null = null;
      for (let i = 0; i < 5; i++) {
        const page = await listFindings(
          test.db,
          shape.claims,
          listFindingsQuerySchema.parse({ ...byInstance, limit: "200", cursor }),
        );
        for (const row of page.data) {
          const key: [number, string, string, string] = [
            ["critical", "high", "medium", "low", "informational"].indexOf(row.severity),
            row.check_id,
            row.resource_key,
            row.id,
          ];
          if (previous) assert.ok(compare(previous, key) < 0, `${previous} before ${key}`);
          assert.ok(!seen.has(row.id));
          seen.add(row.id);
          previous = key;
        }
        cursor = page.next_cursor!;
      }
      assert.equal(seen.size, 1000);
    });
  } finally {
    await test.close();
  }
});

function compare(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}
