/**
 * The organization's allow-list of origins that may frame its embeds
 * (`scheme://host[:port]`, validated here and again by the API).
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Save } from "lucide";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { Textarea } from "../../components/input.tsx";
import { ApiError, errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";
import type { WidgetsApi } from "./widgets_api.ts";

/**
 * The origins of a textarea (one per line), or the first line that is not an origin.
 *
 * @param text the textarea's value
 */
export function parseOrigins(text: string): { origins: string[] } | { error: string } {
  const origins: string[] = [];
  for (const line of text.split(/\s+/).map((l) => l.trim()).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(line);
    } catch {
      return { error: `“${line}” is not an origin like https://portal.example.com` };
    }
    if (!/^https?:$/.test(url.protocol) || url.origin !== line.replace(/\/$/, "")) {
      return { error: `“${line}” must be only scheme://host[:port], without a path` };
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return { origins };
}

/** The allow-list card (admins). */
export function OriginsEditor(props: { api: WidgetsApi; orgId: string }): JSX.Element {
  const { toasts } = useApp();
  const [text, setText] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    props.api.origins(props.orgId).then(
      (o) => (setText(o.join("\n")), setSaved(o.join("\n"))),
      (e) => setError(errorMessage(e)),
    );
  }, [props.orgId]);

  async function save(): Promise<void> {
    const parsed = parseOrigins(text);
    if ("error" in parsed) return setError(parsed.error);
    setBusy(true);
    try {
      const origins = await props.api.setOrigins(props.orgId, parsed.origins);
      setText(origins.join("\n"));
      setSaved(origins.join("\n"));
      setError(null);
      toasts.success(origins.length ? "Allowed origins saved" : "No page may frame embeds now");
    } catch (cause) {
      const details = cause instanceof ApiError && Array.isArray(cause.details)
        ? (cause.details as { message?: string }[]).map((d) => d.message).join("; ")
        : "";
      setError(details || errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Card
      title="Allowed origins"
      description="Only pages on these origins may show embeds in an iframe; with none, no page may."
      footer={
        <div class="flex justify-end">
          <Button
            icon={Save}
            loading={busy}
            disabled={saved === null || text === saved}
            onClick={() => void save()}
          >
            Save origins
          </Button>
        </div>
      }
    >
      <Textarea
        label="Origins, one per line"
        value={text}
        rows={4}
        error={error}
        hint="e.g. https://acme.service-now.com or https://wiki.example.com:8443"
        onValue={(v) => (setText(v), setError(null))}
      />
    </Card>
  );
}
