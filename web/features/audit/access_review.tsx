import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Download } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { Input } from "../../components/input.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";
import { toApiError } from "../../lib/api_client.ts";

type App = ReturnType<typeof useApp>;

/**
 * Downloads a CSV the API streams (the bearer token cannot ride on a link).
 *
 * @param app the app's services
 * @param path the function path, e.g. `/audit/entries.csv`
 * @param query its query parameters
 * @param filename the name to save under
 */
export async function downloadCsv(
  app: App,
  path: string,
  query: Record<string, string | undefined>,
  filename: string,
): Promise<void> {
  const url = new URL(`${app.config.functionsUrl}${path}`, location.href);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  try {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${await app.session.accessToken()}` },
    });
    if (!res.ok) throw await toApiError(res);
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await res.blob());
    link.download = filename;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (cause) {
    app.toasts.error("Could not download the CSV", errorMessage(cause));
  }
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The access review: who held which role over a period, as CSV. */
export function AccessReviewCard(props: { orgId: string }): JSX.Element {
  const app = useApp();
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 90 * 86_400_000)));
  const [to, setTo] = useState(isoDay(today));
  const [error, setError] = useState<string | null>(null);
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;
  const run = () => {
    if (!valid) return setError("Enter two dates as YYYY-MM-DD, the first not after the second.");
    setError(null);
    const end = new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString();
    downloadCsv(app, "/audit/access-review.csv", {
      org_id: props.orgId,
      from: `${from}T00:00:00Z`,
      to: end,
    }, `access-review-${from}-${to}.csv`);
  };
  return (
    <Card>
      <section aria-labelledby="access-review-title" class="space-y-3">
        <h2 id="access-review-title" class="text-base font-semibold text-fg">Access review</h2>
        <p class="text-sm text-fg-muted">
          Who held which role in this organization during a period, when it was granted or ended,
          and by whom — from the audit trail.
        </p>
        <div class="grid grid-cols-1 gap-3 sm:grid-cols-3">
          <Input label="From" value={from} onValue={setFrom} placeholder="YYYY-MM-DD" />
          <Input label="To" value={to} onValue={setTo} placeholder="YYYY-MM-DD" />
          <div class="flex items-end">
            <Button variant="secondary" icon={Download} onClick={run}>Download CSV</Button>
          </div>
        </div>
        {error && <Alert tone="error">{error}</Alert>}
      </section>
    </Card>
  );
}
