import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { OrgDetail } from "../../lib/api_types.ts";
import { useApp } from "../../app/services.ts";

/** Largest logo the API takes (decoded bytes), as shared/organizations/branding.ts says. */
const MAX_LOGO_BYTES = 256 * 1024;

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new Error("Cannot read that file"));
    reader.readAsDataURL(file);
  });
}

/**
 * The organization's branding of its reports (admins): a logo on the PDF cover
 * and headers, and white label (ComplianceIQ's name left out).
 */
export function ReportBrandingCard(
  props: { org: OrgDetail; canEdit: boolean; onSaved: (org: OrgDetail) => void },
): JSX.Element {
  const { api, toasts } = useApp();
  const { report_logo: logo, report_white_label: whiteLabel } = props.org.settings;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save(patch: { report_logo?: string | null; report_white_label?: boolean }) {
    setBusy(true);
    setError(null);
    try {
      props.onSaved(await api.organizations.update(props.org.id, { settings: patch }));
      toasts.success("Report branding saved");
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }

  async function choose(event: Event): Promise<void> {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    if (!["image/png", "image/jpeg"].includes(file.type)) {
      setError("Choose a PNG or JPEG image");
      return;
    }
    if (file.size > MAX_LOGO_BYTES) {
      setError(`The logo is ${Math.ceil(file.size / 1024)} KiB; the most is 256 KiB`);
      return;
    }
    await save({ report_logo: await readAsDataUrl(file) });
  }

  return (
    <Card
      title="Report branding"
      headingLevel={2}
      description="Your logo on the cover and page headers of PDF reports and evidence packs."
    >
      <div class="space-y-4">
        {error && <Alert tone="error">{error}</Alert>}
        <div class="flex flex-wrap items-center gap-4">
          {logo
            ? (
              <img
                src={logo}
                alt={`${props.org.name} logo`}
                class="h-12 max-w-48 rounded border border-line bg-white object-contain p-1"
              />
            )
            : <p class="text-sm text-fg-muted">No logo: reports show the organization's name.</p>}
          {props.canEdit && (
            <div class="flex flex-wrap gap-2">
              <label class="inline-flex cursor-pointer items-center rounded-md border border-line px-3 py-1.5 text-sm font-medium text-fg hover:bg-surface-muted focus-within:outline-2 focus-within:outline-ring">
                {logo ? "Replace logo" : "Upload logo"}
                <input
                  type="file"
                  accept="image/png,image/jpeg"
                  class="sr-only"
                  disabled={busy}
                  onChange={choose}
                />
              </label>
              {logo && (
                <Button
                  variant="secondary"
                  loading={busy}
                  onClick={() => save({ report_logo: null })}
                >
                  Remove logo
                </Button>
              )}
            </div>
          )}
        </div>
        <div class="flex items-start gap-3">
          <input
            id="report-white-label"
            type="checkbox"
            role="switch"
            class="mt-0.5 size-4 shrink-0 rounded border-line-strong accent-accent focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring disabled:cursor-not-allowed"
            checked={whiteLabel}
            disabled={!props.canEdit || busy}
            aria-describedby="report-white-label-hint"
            onChange={(event) =>
              save({ report_white_label: (event.currentTarget as HTMLInputElement).checked })}
          />
          <div class="space-y-0.5">
            <label for="report-white-label" class="block text-sm font-medium text-fg">
              White label
            </label>
            <p id="report-white-label-hint" class="text-xs text-fg-muted">
              Leave ComplianceIQ's name out of generated reports (author and producer are your
              organization).
            </p>
          </div>
        </div>
      </div>
    </Card>
  );
}
