import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Copy, Link2 } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Input } from "../../components/input.tsx";
import { Modal } from "../../components/modal.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { formatDateTime } from "../analysis/ui.tsx";
import type { ExportFile, ReportLink, ReportsApi } from "./reports_api.ts";

const EXPIRY = [
  { value: "1", label: "1 day" },
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
] as const;

/** Share a file with someone outside the organization: links with an expiry, copy, revoke. */
export function ShareDialog(
  props: { file: ExportFile | null; reports: ReportsApi; onClose: () => void },
): JSX.Element {
  const { file, reports } = props;
  const [links, setLinks] = useState<ReportLink[]>([]);
  const [days, setDays] = useState<typeof EXPIRY[number]["value"]>("7");
  const [label, setLabel] = useState("");
  const [created, setCreated] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reload = () =>
    file && reports.links(file.id).then(setLinks, (e) => setError(errorMessage(e)));
  useEffect(() => {
    setCreated(null);
    setError(null);
    setLinks([]);
    void reload();
  }, [file?.id]);

  async function run(action: () => Promise<void>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await action();
      await reload();
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }
  const create = () =>
    run(async () => {
      const { url } = await reports.createLink(file!.id, {
        kind: "share",
        expires_in_days: Number(days),
        ...(label.trim() ? { label: label.trim() } : {}),
      });
      setCreated(url);
      setCopied(false);
    });
  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(created!);
      setCopied(true);
    } catch {
      setError("The browser did not allow copying; select the link and copy it yourself.");
    }
  }

  const shares = links.filter((l) => l.kind === "share");
  return (
    <Modal
      open={file !== null}
      onClose={props.onClose}
      title="Share this file"
      description="Anyone with a share link can download the file without signing in, until it expires or you revoke it."
    >
      <div class="space-y-4">
        {error && <Alert tone="error" title="That did not work">{error}</Alert>}
        <div class="grid gap-3 sm:grid-cols-2">
          <Select label="Expires after" value={days} options={EXPIRY} onValue={setDays} />
          <Input label="For whom" value={label} onValue={setLabel} optional maxLength={200} />
        </div>
        <Button icon={Link2} loading={busy} onClick={() => void create()}>Create share link</Button>
        {created && (
          <div class="space-y-2 rounded-md border border-line p-3">
            <Input label="Share link (shown once)" value={created} readOnly />
            <Button size="sm" variant="secondary" icon={Copy} onClick={() => void copy()}>
              {copied ? "Copied" : "Copy link"}
            </Button>
          </div>
        )}
        <div>
          <h3 class="text-sm font-semibold text-fg">Share links of this file</h3>
          {shares.length === 0
            ? <p class="text-sm text-fg-muted">None yet.</p>
            : (
              <ul class="divide-y divide-line" aria-label="Share links">
                {shares.map((l) => (
                  <li key={l.id} class="flex flex-wrap items-center gap-2 py-2 text-sm">
                    <span class="min-w-0 flex-1 break-words">
                      {l.label ?? "Share link"} · until {formatDateTime(l.expires_at)} · used{" "}
                      {l.use_count}×
                    </span>
                    {l.active
                      ? (
                        <Button
                          size="sm"
                          variant="danger"
                          aria-label={`Revoke ${l.label ?? "share link"}`}
                          onClick={() =>
                            void run(async () => void await reports.revokeLink(l.id))}
                        >
                          Revoke
                        </Button>
                      )
                      : <Badge>{l.revoked_at ? "Revoked" : "Expired"}</Badge>}
                  </li>
                ))}
              </ul>
            )}
        </div>
      </div>
    </Modal>
  );
}
