/**
 * Creating an embed of a widget version: name, version, an optional instance
 * filter and expiry; then the token, shown this once, with a ready `<iframe>`
 * snippet and the JSON URL.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useLayoutEffect, useState } from "preact/hooks";
import { Copy } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Input, Textarea } from "../../components/input.tsx";
import { Modal } from "../../components/modal.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { typedClient } from "../../lib/typed_client.ts";
import { useApp } from "../../app/services.ts";
import { EXPIRY_CHOICES, expiryFor } from "../api_keys/api_keys_model.ts";
import type { EmbedItem, WidgetItem, WidgetsApi } from "./widgets_api.ts";
import { allPages } from "../../lib/all_pages.ts";

/**
 * The embed's page and JSON URLs and an `<iframe>` snippet for a token.
 *
 * @param functionsUrl the API's base URL (…/functions/v1)
 * @param token the embed token
 * @param title the iframe's accessible title
 */
export function embedSnippets(
  functionsUrl: string,
  token: string,
  title: string,
): { page: string; json: string; iframe: string } {
  const base = functionsUrl.endsWith("/") ? functionsUrl : `${functionsUrl}/`;
  const page = new URL(`widgets/embed/${token}`, base).href;
  const safeTitle = title.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return {
    page,
    json: `${page}.json`,
    iframe:
      `<iframe src="${page}" title="${safeTitle}" width="360" height="240" style="border:0"></iframe>`,
  };
}

function Copyable(props: { label: string; value: string; rows?: number }): JSX.Element {
  const { toasts } = useApp();
  return (
    <div class="space-y-1">
      <Textarea label={props.label} value={props.value} rows={props.rows ?? 2} readOnly />
      <Button
        size="sm"
        variant="secondary"
        icon={Copy}
        aria-label={`Copy ${props.label}`}
        onClick={() =>
          navigator.clipboard.writeText(props.value).then(
            () => toasts.success(`${props.label} copied`),
            () => toasts.error("The browser did not allow copying: select the text instead"),
          )}
      >
        Copy
      </Button>
    </div>
  );
}

/** The create-embed modal. */
export function CreateEmbedModal(props: {
  open: boolean;
  api: WidgetsApi;
  orgId: string;
  widget: WidgetItem;
  onClose: () => void;
  onCreated: (embed: EmbedItem) => void;
}): JSX.Element {
  const { api: appApi, config } = useApp();
  const w = props.widget;
  const [name, setName] = useState("");
  const [version, setVersion] = useState(String(w.current_version));
  const [expiry, setExpiry] = useState("never");
  const [instances, setInstances] = useState<{ id: string; name: string }[]>([]);
  const [only, setOnly] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [token, setToken] = useState<string | null>(null);

  // Reset before the dialog paints, so what is typed first is never overwritten.
  useLayoutEffect(() => {
    if (!props.open) return;
    setName(w.name), setVersion(String(w.current_version)), setExpiry("never");
    setOnly([]), setError(null), setToken(null);
  }, [props.open]);
  useEffect(() => {
    if (!props.open) return;
    allPages((cursor) =>
      typedClient(appApi)("GET /instances", { query: { org_id: props.orgId, limit: 500, cursor } })
    ).then(
      (all) => setInstances(all.map((i) => ({ id: i.id, name: i.name }))),
      () => setInstances([]),
    );
  }, [props.open]);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const expires = expiryFor(expiry);
      const created = await props.api.createEmbed(w.id, {
        name: name.trim(),
        version: Number(version),
        ...(only.length ? { instance_ids: only } : {}),
        ...(expires ? { expires_at: expires } : {}),
      });
      setToken(created.token);
      props.onCreated(created.embed);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }

  const snippets = token ? embedSnippets(config.functionsUrl, token, w.name) : null;
  return (
    <Modal
      open={props.open}
      onClose={props.onClose}
      size="lg"
      title={snippets ? "Embed created" : `Embed “${w.name}”`}
      description={snippets
        ? "Copy the snippet now: the token is shown only this once."
        : "A read-only view of one version, for a page outside the app."}
      footer={snippets ? <Button onClick={props.onClose}>Done</Button> : (
        <>
          <Button variant="secondary" onClick={props.onClose}>Cancel</Button>
          <Button type="submit" form="create-embed" loading={busy}>Create embed</Button>
        </>
      )}
    >
      {snippets
        ? (
          <div class="space-y-4">
            <Copyable label="Iframe snippet" value={snippets.iframe} rows={3} />
            <Copyable label="JSON URL" value={snippets.json} />
            <p class="text-xs text-fg-muted">
              Pages may frame it only from the origins allowed below (Allowed origins).
            </p>
          </div>
        )
        : (
          <form id="create-embed" class="space-y-4" onSubmit={(e) => void submit(e)}>
            {error && <Alert tone="error">{error}</Alert>}
            <Input
              label="Name"
              value={name}
              maxLength={100}
              required
              onValue={setName}
              hint="Where it is shown, e.g. “IT portal”."
            />
            <Select
              label="Version"
              value={version}
              onValue={setVersion}
              options={Array.from({ length: w.current_version }, (_, i) => w.current_version - i)
                .map((v) => ({
                  value: String(v),
                  label: `Version ${v}${v === w.current_version ? " (current)" : ""}`,
                }))}
            />
            <Select label="Expires" value={expiry} onValue={setExpiry} options={EXPIRY_CHOICES} />
            {instances.length > 1 && (
              <fieldset class="space-y-1.5">
                <legend class="text-sm font-medium text-fg">
                  Only these instances{" "}
                  <span class="font-normal text-fg-muted">(optional: all when none)</span>
                </legend>
                {instances.map((i) => (
                  <label key={i.id} class="flex items-center gap-2 text-sm text-fg">
                    <input
                      type="checkbox"
                      checked={only.includes(i.id)}
                      onChange={(e) =>
                        setOnly(
                          (e.currentTarget as HTMLInputElement).checked
                            ? [...only, i.id]
                            : only.filter((x) =>
                              x !== i.id
                            ),
                        )}
                    />
                    {i.name}
                  </label>
                ))}
              </fieldset>
            )}
          </form>
        )}
    </Modal>
  );
}
