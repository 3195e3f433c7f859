import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Badge, type BadgeTone } from "../../components/badge.tsx";
import { Card } from "../../components/card.tsx";
import { Loader } from "../../components/loader.tsx";
import { Logo } from "../../components/logo.tsx";
import { useApp } from "../../app/services.ts";
import {
  loadReference,
  type ReferenceOperation,
  type ReferenceSection,
} from "./api_reference_model.ts";

const METHOD_TONES: Record<string, BadgeTone> = {
  GET: "brand",
  POST: "success",
  PUT: "warning",
  PATCH: "warning",
  DELETE: "danger",
};

const AUTH_LABELS: Record<string, string> = {
  public: "Public",
  user: "Signed-in user",
  worker: "QStash only",
  api_key: "API key",
  metrics: "Scrape credential",
};

function Schema({ label, schema }: { label: string; schema: unknown }): JSX.Element {
  return (
    <details class="rounded border border-line">
      <summary class="cursor-pointer px-3 py-1.5 text-sm text-fg-muted">{label}</summary>
      <pre class="max-h-96 overflow-auto border-t border-line px-3 py-2 text-xs">
        {JSON.stringify(schema, null, 2)}
      </pre>
    </details>
  );
}

function Operation({ op }: { op: ReferenceOperation }): JSX.Element {
  return (
    <article id={op.id} class="space-y-3 border-b border-line px-5 py-4 last:border-b-0">
      <header class="flex flex-wrap items-center gap-2">
        <Badge tone={METHOD_TONES[op.method] ?? "neutral"}>{op.method}</Badge>
        <code class="text-sm font-semibold text-fg">{op.path}</code>
        <Badge>{AUTH_LABELS[op.auth] ?? op.auth}</Badge>
        {op.permission && <Badge tone="brand">{op.permission}</Badge>}
      </header>
      <h3 class="text-sm font-medium text-fg">{op.summary}</h3>
      {op.description && <p class="text-sm whitespace-pre-line text-fg-muted">{op.description}</p>}
      {op.parameters.length > 0 && (
        <table class="w-full text-left text-sm">
          <caption class="sr-only">Parameters of {op.method} {op.path}</caption>
          <thead>
            <tr class="text-fg-muted">
              <th scope="col" class="py-1 pr-4 font-medium">Parameter</th>
              <th scope="col" class="py-1 pr-4 font-medium">In</th>
              <th scope="col" class="py-1 font-medium">Type</th>
            </tr>
          </thead>
          <tbody>
            {op.parameters.map((p) => (
              <tr key={`${p.in}:${p.name}`} class="border-t border-line">
                <td class="py-1 pr-4">
                  <code>{p.name}</code>
                  {p.required && <span class="ml-1 text-fg-muted">(required)</span>}
                </td>
                <td class="py-1 pr-4">{p.in}</td>
                <td class="py-1">{p.type}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {op.body && (
        <Schema
          label={`Request body (JSON${op.body.required ? "" : ", optional"})`}
          schema={op.body.schema}
        />
      )}
      {op.responses.map((r) => (
        r.schema
          ? (
            <Schema
              key={r.status}
              label={`${r.status}: ${r.description}`}
              schema={r.schema}
            />
          )
          : <p key={r.status} class="text-sm text-fg-muted">{r.status}: {r.description}</p>
      ))}
    </article>
  );
}

function Section({ section }: { section: ReferenceSection }): JSX.Element {
  return (
    <Card
      id={section.name}
      title={<span class="capitalize">{section.name}</span>}
      description={section.description}
      flush
    >
      {section.operations.map((op) => <Operation key={op.id} op={op} />)}
    </Card>
  );
}

/**
 * `/api-reference`: every function's routes, from their OpenAPI documents:
 * who may call each (auth kind and permission action), parameters, bodies and
 * responses. Errors share one shape: `{"error": {"code", "message", "details"}}`.
 */
export function ApiReferencePage(): JSX.Element {
  const { config } = useApp();
  const [sections, setSections] = useState<ReferenceSection[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    loadReference(config.functionsUrl).then(
      setSections,
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [config.functionsUrl]);

  return (
    <div class="min-h-screen bg-canvas">
      <header class="border-b border-line bg-surface px-6 py-4">
        <a href="/" aria-label="ComplianceIQ home">
          <Logo />
        </a>
      </header>
      <main id="main" class="mx-auto max-w-5xl space-y-6 px-6 py-8">
        <div class="space-y-2">
          <h1 class="text-2xl font-semibold text-fg">API reference</h1>
          <p class="text-sm text-fg-muted">
            Every route of every function, generated from the route declarations. Each function
            serves its OpenAPI 3.1 document at{" "}
            <code>/functions/v1/&lt;name&gt;/openapi.json</code>. Errors always have the shape{" "}
            <code>{'{"error": {"code", "message", "details"}}'}</code>.
          </p>
          {sections && (
            <nav aria-label="Functions" class="flex flex-wrap gap-3 text-sm">
              {sections.map((s) => (
                <a key={s.name} href={`#${s.name}`} class="text-brand-700 underline capitalize">
                  {s.name} ({s.operations.length})
                </a>
              ))}
            </nav>
          )}
        </div>
        {error && <Alert tone="error" title="The reference could not be loaded">{error}</Alert>}
        {!sections && !error && <Loader label="Loading the API reference" />}
        {sections?.map((section) => <Section key={section.name} section={section} />)}
      </main>
    </div>
  );
}
