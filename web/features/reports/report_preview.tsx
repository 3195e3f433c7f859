import { Fragment, type JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Loader } from "../../components/loader.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { ReportPreview as Preview, ReportsApi, ReportSpec } from "./reports_api.ts";

/**
 * The first page of the report as it stands: the server builds it from the
 * content model the PDF's cover is printed from (`POST /reports/preview`),
 * again shortly after each change of the form.
 */
export function usePreview(
  api: ReportsApi,
  spec: ReportSpec | null,
): { preview: Preview | null; loading: boolean; error: string | null } {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = spec ? JSON.stringify(spec) : "";
  useEffect(() => {
    if (!spec) return;
    const abort = new AbortController();
    setLoading(true);
    const timer = setTimeout(() => {
      api.preview(spec, abort.signal).then((p) => {
        setPreview(p);
        setError(null);
      }, (cause) => !abort.signal.aborted && setError(errorMessage(cause)))
        .finally(() => !abort.signal.aborted && setLoading(false));
    }, 350);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [key]);
  return { preview, loading, error };
}

/** The cover page and the contents the document will have. */
export function ReportPreview(
  props: { preview: Preview | null; loading: boolean; error: string | null },
): JSX.Element {
  const { preview } = props;
  return (
    <figure class="min-w-0 space-y-2" aria-busy={props.loading}>
      <figcaption class="text-xs text-fg-muted">
        Preview of the first page, built from the same data the PDF's cover prints. Page numbers are
        set when the file is generated.
      </figcaption>
      {props.error && <Alert tone="error" title="No preview">{props.error}</Alert>}
      {!preview && !props.error && <Loader label="Building the preview" class="py-12" />}
      {preview && (
        <div
          class="overflow-hidden rounded-md border border-line bg-white text-slate-900 shadow-sm"
          data-testid="report-preview"
        >
          <div class="bg-slate-800 px-5 py-6 text-white">
            <p class="text-sm text-slate-200">{preview.organization}</p>
            <p class="mt-2 break-words text-xl font-bold">{preview.title}</p>
          </div>
          <dl class="grid grid-cols-[minmax(0,7rem)_minmax(0,1fr)] gap-x-3 gap-y-1.5 px-5 py-4 text-xs">
            {preview.facts.map((fact) => (
              <Fragment key={fact.label}>
                <dt class="text-slate-600">{fact.label}</dt>
                <dd class="break-words [overflow-wrap:anywhere]">{fact.value}</dd>
              </Fragment>
            ))}
          </dl>
          {preview.overall_score !== undefined && (
            <div class="px-5 pb-4">
              <p class="text-xs text-slate-600">Overall score</p>
              <p class="text-3xl font-bold" data-testid="preview-score">
                {preview.overall_score === null ? "n/a" : `${preview.overall_score} / 100`}
              </p>
            </div>
          )}
          <div class="border-t border-slate-200 px-5 py-3">
            <p class="text-sm font-semibold">Contents</p>
            <ol class="mt-1 list-decimal pl-5 text-xs">
              {preview.sections.map((s) => <li key={s.id}>{s.title}</li>)}
            </ol>
            {preview.expected_findings > 0 && (
              <p class="mt-2 text-xs text-slate-600">
                Up to {preview.expected_findings} failing findings before filters.
              </p>
            )}
          </div>
        </div>
      )}
    </figure>
  );
}
