import assert from "node:assert/strict";
import { API_FUNCTIONS, loadReference, sectionOf } from "./api_reference_model.ts";

const DOC = {
  openapi: "3.1.0",
  info: { title: "jobs", description: "Background work" },
  paths: {
    "/tasks/jobs/{jobId}": {
      get: {
        operationId: "getTasksJobsJobId",
        summary: "One job",
        description: "Needs `jobs.read`.",
        "x-auth": "user",
        "x-permission": "jobs.read",
        parameters: [
          { name: "jobId", in: "path", required: true, schema: { type: "string", format: "uuid" } },
          { name: "state", in: "query", required: false, schema: { enum: ["a", "b"] } },
        ],
        responses: {
          200: {
            description: "The job",
            content: { "application/json": { schema: { type: "object" } } },
          },
          default: { description: "An error" },
        },
      },
    },
  },
};

Deno.test("sectionOf() lists operations with auth, permission, parameters and responses", () => {
  const section = sectionOf("tasks", DOC);
  assert.equal(section.description, "Background work");
  const [op] = section.operations;
  assert.equal(op!.method, "GET");
  assert.equal(op!.permission, "jobs.read");
  assert.deepEqual(op!.parameters.map((p) => [p.name, p.in, p.required, p.type]), [
    ["jobId", "path", true, "string (uuid)"],
    ["state", "query", false, '"a" | "b"'],
  ]);
  assert.deepEqual(op!.responses.map((r) => r.status), ["200"]);
  assert.equal(op!.body, null);
});

Deno.test("loadReference() names the function whose document failed", async () => {
  const fetcher = (url: string | URL | Request) =>
    Promise.resolve(
      String(url).includes("/analysis/") ? new Response("no", { status: 502 }) : Response.json(DOC),
    );
  await assert.rejects(
    loadReference("http://x/functions/v1/", fetcher as typeof fetch),
    /analysis API's document: HTTP 502/,
  );
  const ok = await loadReference(
    "http://x/functions/v1",
    (() => Promise.resolve(Response.json(DOC))) as typeof fetch,
  );
  assert.equal(ok.length, API_FUNCTIONS.length);
});
