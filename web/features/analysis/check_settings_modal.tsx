import type { JSX } from "preact";
import { useEffect, useId, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Input, Textarea } from "../../components/input.tsx";
import { Loader } from "../../components/loader.tsx";
import { Modal } from "../../components/modal.tsx";
import { ApiError, errorMessage } from "../../lib/api_error.ts";
import type {
  AnalysisApi,
  CatalogCheckDetail,
  CheckParameter,
  CheckSettingsInput,
} from "./analysis_api.ts";
import { parameterText, settingsChange } from "./check_settings_form.ts";
import { SeverityBadge } from "./ui.tsx";

/** Props of {@linkcode CheckSettingsModal}. */
export interface CheckSettingsModalProps {
  api: AnalysisApi;
  orgId: string;
  /** The check to show; null closes the dialog. */
  checkId: string | null;
  /** Admins and owners change settings; everyone else reads them. */
  canEdit: boolean;
  onClose: () => void;
  /** Called with the check as it is after a save. */
  onSaved: (check: CatalogCheckDetail, message: string) => void;
}

const SOURCE_LABELS: Record<CheckParameter["source"], string> = {
  override: "Set for this check",
  organization: "Organization setting",
  catalog: "Catalog default",
};

/**
 * A built-in check's settings for the organization: whether runs evaluate it,
 * and its parameters (a per-check value wins over an organization setting, which
 * wins over the catalog default). Changes apply from the next run.
 */
export function CheckSettingsModal(props: CheckSettingsModalProps): JSX.Element {
  const [check, setCheck] = useState<CatalogCheckDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [enabled, setEnabled] = useState(true);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const enabledId = useId();

  function show(detail: CatalogCheckDetail): void {
    setCheck(detail);
    setEnabled(detail.enabled);
    setTexts(Object.fromEntries(detail.parameters.map((p) => [p.name, parameterText(p)])));
    setErrors({});
    setSaveError(null);
  }

  useEffect(() => {
    setCheck(null);
    setLoadError(null);
    if (!props.checkId) return;
    let current = true;
    props.api.check(props.orgId, props.checkId).then(
      (detail) => current && show(detail),
      (cause) => current && setLoadError(errorMessage(cause)),
    );
    return () => {
      current = false;
    };
  }, [props.checkId, props.orgId]);

  async function save(change: CheckSettingsInput, message: string): Promise<void> {
    if (!check) return;
    setSaving(true);
    setSaveError(null);
    try {
      const saved = await props.api.putCheckSettings(props.orgId, check.id, change);
      show(saved);
      props.onSaved(saved, message);
    } catch (cause) {
      const fieldErrors = parameterErrors(cause);
      if (fieldErrors) setErrors(fieldErrors);
      else setSaveError(errorMessage(cause));
    } finally {
      setSaving(false);
    }
  }

  function submit(event: Event): void {
    event.preventDefault();
    if (!check) return;
    const { change, errors } = settingsChange(check.parameters, check.enabled, { enabled, texts });
    setErrors(errors);
    if (!change) {
      if (Object.keys(errors).length === 0) setSaveError("Nothing has changed.");
      return;
    }
    void save(change, `Settings of "${check.title}" saved; they apply from the next run.`);
  }

  const overridden = check?.parameters.some((p) => p.overridden) ?? false;
  const readOnly = !props.canEdit;
  return (
    <Modal
      open={props.checkId !== null}
      onClose={props.onClose}
      size="lg"
      title={check?.title ?? "Check settings"}
      description={check
        ? (
          <span class="flex flex-wrap items-center gap-2">
            <span class="font-mono text-xs">{check.id}</span>
            <SeverityBadge severity={check.severity} />
            {!check.enabled && <Badge tone="warning">Disabled</Badge>}
            {check.customized && <Badge tone="info">Customized</Badge>}
          </span>
        )
        : undefined}
      footer={readOnly ? <Button variant="ghost" onClick={props.onClose}>Close</Button> : (
        <>
          <Button variant="ghost" onClick={props.onClose}>Cancel</Button>
          {overridden && (
            <Button
              variant="secondary"
              disabled={saving}
              onClick={() =>
                void save(
                  { parameters: {} },
                  `"${check!.title}" uses its default parameters again from the next run.`,
                )}
            >
              Restore defaults
            </Button>
          )}
          <Button type="submit" form="check-settings-form" loading={saving} disabled={!check}>
            Save settings
          </Button>
        </>
      )}
    >
      {loadError && <Alert tone="error">{loadError}</Alert>}
      {!check && !loadError && <Loader label="Loading the check" />}
      {check && (
        <form id="check-settings-form" class="space-y-4" onSubmit={submit} noValidate>
          <p class="text-sm text-fg-muted">{check.description}</p>
          {readOnly && (
            <Alert tone="info">Only an admin or owner can change how this check runs.</Alert>
          )}
          {saveError && <Alert tone="error">{saveError}</Alert>}
          <div class="flex items-start gap-3">
            <input
              id={enabledId}
              type="checkbox"
              role="switch"
              class="mt-0.5 size-4 shrink-0 rounded border-line-strong accent-accent focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring disabled:cursor-not-allowed"
              checked={enabled}
              disabled={readOnly}
              aria-describedby={`${enabledId}-hint`}
              onChange={(event) => setEnabled((event.currentTarget as HTMLInputElement).checked)}
            />
            <div class="space-y-0.5">
              <label for={enabledId} class="block text-sm font-medium text-fg">
                Evaluate this check in runs
              </label>
              <p id={`${enabledId}-hint`} class="text-xs text-fg-muted">
                A disabled check is left out of runs, scores and frameworks until it is enabled
                again.
              </p>
            </div>
          </div>
          {check.parameters.length === 0
            ? <p class="text-sm text-fg-muted">This check has no parameters.</p>
            : (
              <fieldset class="space-y-3">
                <legend class="text-sm font-semibold text-fg">Parameters</legend>
                {check.parameters.map((p) => (
                  <ParameterField
                    key={p.name}
                    parameter={p}
                    text={texts[p.name] ?? ""}
                    error={errors[p.name] ?? null}
                    readOnly={readOnly}
                    onText={(text) => setTexts((prev) => ({ ...prev, [p.name]: text }))}
                  />
                ))}
              </fieldset>
            )}
        </form>
      )}
    </Modal>
  );
}

function ParameterField(props: {
  parameter: CheckParameter;
  text: string;
  error: string | null;
  readOnly: boolean;
  onText: (text: string) => void;
}): JSX.Element {
  const p = props.parameter;
  const bounds = p.bounds as { min?: number; max?: number };
  const hint = [
    p.description,
    p.source === "catalog"
      ? "Catalog default."
      : `${SOURCE_LABELS[p.source]}${
        p.source === "organization" && p.org_setting ? ` (${p.org_setting})` : ""
      }; catalog default: ${parameterText(p, p.default).replaceAll("\n", "; ")}.`,
    p.kind === "string_list" ? "One entry per line." : "",
    p.kind === "role_pairs" ? "One pair per line: role_a, role_b." : "",
  ].filter(Boolean).join(" ");
  const label = p.name.replaceAll("_", " ");
  if (p.kind === "string_list" || p.kind === "role_pairs") {
    return (
      <Textarea
        label={label}
        hint={hint}
        value={props.text}
        rows={Math.min(8, Math.max(3, props.text.split("\n").length + 1))}
        spellcheck={false}
        disabled={props.readOnly}
        error={props.error}
        onValue={props.onText}
      />
    );
  }
  const numeric = p.kind === "integer" || p.kind === "number";
  return (
    <Input
      label={label}
      hint={hint}
      type={numeric ? "number" : "text"}
      inputMode={numeric ? (p.kind === "integer" ? "numeric" : "decimal") : undefined}
      min={bounds.min}
      max={bounds.max}
      step={p.kind === "number" ? "any" : undefined}
      value={props.text}
      spellcheck={false}
      readOnly={props.readOnly}
      error={props.error}
      onValue={props.onText}
    />
  );
}

/** Field errors of a 422 the server returns for out-of-bounds parameters. */
function parameterErrors(cause: unknown): Record<string, string> | null {
  if (!(cause instanceof ApiError) || cause.code !== "invalid_parameters") return null;
  const details = Array.isArray(cause.details) ? cause.details : [];
  const out: Record<string, string> = {};
  for (const detail of details as { path?: unknown; message?: unknown }[]) {
    const name = typeof detail.path === "string" ? detail.path.replace(/^parameters\./, "") : "";
    if (name) out[name] = String(detail.message ?? "is not valid");
  }
  return Object.keys(out).length > 0 ? out : null;
}
