import assert from "node:assert/strict";
import { configErrors, schemaFields, withField } from "./config_form.tsx";
import { embedSnippets } from "./create_embed_modal.tsx";
import { embedGate } from "./embed_gate.ts";
import { parseOrigins } from "./origins_editor.tsx";
import { showValue } from "./version_history.tsx";

Deno.test("origins are scheme://host[:port], deduplicated; a path or a bare host is refused", () => {
  assert.deepEqual(
    parseOrigins("https://a.example.com\n https://b.example.com:8443 https://a.example.com"),
    {
      origins: ["https://a.example.com", "https://b.example.com:8443"],
    },
  );
  assert.deepEqual(parseOrigins(""), { origins: [] });
  assert.match(
    (parseOrigins("https://a.example.com/wiki") as { error: string }).error,
    /without a path/,
  );
  assert.match((parseOrigins("portal.example.com") as { error: string }).error, /not an origin/);
  assert.ok("error" in parseOrigins("ftp://files.example.com"));
});

Deno.test("the plan gates embeds: no feature, or every allowed embed in use", () => {
  const overview = (embeds: boolean, allowed: number | null) => ({
    plan: { display_name: "Trial", features: { embeds } },
    limits: [{ limit: "widget_embeds", allowed }],
    upgrade_to: "basic",
  });
  assert.deepEqual(embedGate(overview(false, 0), 0), {
    reason: "Your Trial plan does not include embeds.",
    upgradeTo: "basic",
  });
  assert.match(embedGate(overview(true, 3), 3)!.reason, /allows 3 live embeds/);
  assert.equal(embedGate(overview(true, 3), 2), null);
  assert.equal(embedGate(overview(true, null), 500), null);
});

Deno.test("the form leaves empty optional fields out and reads the API's field errors", () => {
  assert.deepEqual(withField({ limit: 5, framework: "x" }, "framework", ""), { limit: 5 });
  assert.deepEqual(withField({}, "severities", []), {});
  assert.deepEqual(withField({}, "limit", 3), { limit: 3 });
  assert.deepEqual(
    configErrors([
      { path: "config.limit", message: "Too big" },
      { path: "config.frameworks.0", message: "Bad id" },
      { path: "name", message: "Not a config field" },
    ]),
    { limit: "Too big", frameworks: "Bad id" },
  );
  assert.deepEqual(configErrors(null), {});
  assert.deepEqual(
    schemaFields({ properties: { score: { enum: ["overall"] }, days: { type: "integer" } } })
      .map(([f]) => f),
    ["score", "days"],
  );
});

Deno.test("the embed snippet frames the page URL; the JSON URL adds .json; titles are escaped", () => {
  const s = embedSnippets("https://api.example.com/functions/v1", "ciq_embed_abc_def", 'A "b" <c>');
  assert.equal(s.page, "https://api.example.com/functions/v1/widgets/embed/ciq_embed_abc_def");
  assert.equal(s.json, `${s.page}.json`);
  assert.match(
    s.iframe,
    /^<iframe src="https:\/\/api\.example\.com\/functions\/v1\/widgets\/embed\/ciq_embed_abc_def" title="A &#34;b&#34; &#60;c&#62;"/,
  );
});

Deno.test("diff values read as text", () => {
  assert.equal(showValue(undefined), "(not set)");
  assert.equal(showValue(["critical", "high"]), "critical, high");
  assert.equal(showValue(5), "5");
  assert.equal(showValue("overall"), "overall");
});
