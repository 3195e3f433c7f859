import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { RefreshCw } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { Input, Textarea } from "../../components/input.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { Skeleton } from "../../components/loader.tsx";
import { Select } from "../../components/select.tsx";
import { ApiError, errorMessage } from "../../lib/api_error.ts";
import type { OrgDetail } from "../../lib/api_types.ts";
import { formatDate } from "../../lib/format.ts";
import { useApp } from "../../app/services.ts";
import { can } from "../../../shared/permissions/mod.ts";
import { createAnalysisApi } from "../analysis/analysis_api.ts";
import { DeleteOrgCard } from "./delete_org_card.tsx";
import { ReportBrandingCard } from "./report_branding_card.tsx";
import {
  formFromOrg,
  type FrameworkChoice,
  frameworkOptions,
  parseEmails,
  type SettingsErrors,
  type SettingsForm,
  settingsPatch,
  validateSettings,
} from "./settings_form.ts";

const TIMEZONES: string[] = (() => {
  const zones = typeof Intl.supportedValuesOf === "function"
    ? Intl.supportedValuesOf("timeZone")
    : [];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
})();
const TIMEZONE_SET = new Set(TIMEZONES);

/** The field of a refused PATCH that names `settings.<key>`, if the API said so. */
function refusedSetting(cause: unknown, key: string): string | null {
  if (!(cause instanceof ApiError) || cause.code !== "validation_failed") return null;
  const details = Array.isArray(cause.details) ? cause.details : [];
  const hit = details.find((d: { path?: unknown }) => d?.path === `settings.${key}`);
  return hit ? String((hit as { message?: unknown }).message ?? "is not valid") : null;
}

/** A labelled on/off switch (a native checkbox) with a one-line explanation. */
function Toggle(
  props: { label: string; hint: string; checked: boolean; onValue: (on: boolean) => void },
): JSX.Element {
  const id = "analyze-after-sync";
  return (
    <div class="flex items-start gap-3 sm:col-span-2">
      <input
        id={id}
        type="checkbox"
        role="switch"
        class="mt-0.5 size-4 shrink-0 rounded border-line-strong accent-accent focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring disabled:cursor-not-allowed"
        checked={props.checked}
        aria-describedby={`${id}-hint`}
        onChange={(event) => props.onValue((event.currentTarget as HTMLInputElement).checked)}
      />
      <div class="space-y-0.5">
        <label for={id} class="block text-sm font-medium text-fg">{props.label}</label>
        <p id={`${id}-hint`} class="text-xs text-fg-muted">{props.hint}</p>
      </div>
    </div>
  );
}

/** `/app/settings`: the organization's name, slug and settings (admins and owners edit). */
export function SettingsPage(): JSX.Element {
  const { api, orgs, toasts } = useApp();
  const current = orgs.current.value!;
  const [org, setOrg] = useState<OrgDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  /** The check catalog's frameworks; null until loaded (or when they could not be). */
  const [frameworks, setFrameworks] = useState<FrameworkChoice[] | null>(null);
  const [frameworksError, setFrameworksError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    createAnalysisApi(api).frameworks().then(
      (list) => live && setFrameworks(list.map((f) => ({ id: f.id, name: f.name }))),
      (cause) => live && setFrameworksError(errorMessage(cause)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  async function load(): Promise<void> {
    setLoadError(null);
    try {
      const detail = await api.organizations.get(current.id);
      setOrg(detail);
      setForm(formFromOrg(detail));
    } catch (cause) {
      setLoadError(errorMessage(cause));
    }
  }
  useEffect(() => void load(), [current.id]);

  const canEdit = can(current.role, "organizations.update");
  const patch = useMemo(() => (org && form ? settingsPatch(org, form) : {}), [org, form]);
  const dirty = Object.keys(patch).length > 0;

  function set<K extends keyof SettingsForm>(key: K, value: SettingsForm[K]): void {
    setForm((prev) => (prev ? { ...prev, [key]: value } : prev));
    setErrors((prev) => ({ ...prev, [key]: undefined }));
  }

  async function save(event: Event): Promise<void> {
    event.preventDefault();
    if (!org || !form) return;
    // The select offers the catalog's frameworks and keeps the saved value.
    const allowed = frameworks
      ? new Set([...frameworks.map((f) => f.id), org.settings.default_framework ?? ""])
      : undefined;
    const found = validateSettings(form, TIMEZONE_SET, { frameworks: allowed });
    setErrors(found);
    setSaveError(null);
    if (Object.keys(found).length > 0) {
      document.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
      return;
    }
    setSaving(true);
    try {
      const updated = await api.organizations.update(org.id, settingsPatch(org, form));
      setOrg(updated);
      setForm(formFromOrg(updated));
      orgs.applyUpdate(updated);
      toasts.success("Settings saved");
    } catch (cause) {
      const framework = refusedSetting(cause, "default_framework");
      if (cause instanceof ApiError && cause.code === "already_exists") {
        setErrors({ slug: cause.message });
      } else if (framework) {
        setErrors({ defaultFramework: "Choose a framework from the list." });
      } else setSaveError(errorMessage(cause));
    } finally {
      setSaving(false);
    }
  }

  if (loadError) {
    return (
      <>
        <PageHeader title="Settings" />
        <EmptyState
          tone="error"
          title="We couldn't load the settings"
          description={loadError}
          action={
            <Button icon={RefreshCw} variant="secondary" onClick={() => void load()}>
              Try again
            </Button>
          }
        />
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Settings"
        description={`How ${current.name} is named, and the defaults its checks and notifications use.`}
      />
      {!org || !form
        ? (
          <div class="space-y-4" role="status" aria-label="Loading settings">
            <Skeleton class="h-40 w-full" />
            <Skeleton class="h-64 w-full" />
          </div>
        )
        : (
          <form onSubmit={save} class="space-y-6" noValidate>
            {!canEdit && (
              <Alert tone="info" title="Read-only">
                Only admins and owners can change these settings.
              </Alert>
            )}
            {saveError && <Alert tone="error">{saveError}</Alert>}
            <fieldset disabled={!canEdit || saving} class="space-y-6">
              <Card
                title="Organization"
                description="How your organization appears to its members."
              >
                <div class="grid gap-5 sm:grid-cols-2">
                  <Input
                    label="Name"
                    value={form.name}
                    onValue={(v) => set("name", v)}
                    error={errors.name}
                    maxLength={100}
                    required
                  />
                  <Input
                    label="Slug"
                    value={form.slug}
                    onValue={(v) => set("slug", v.toLowerCase())}
                    error={errors.slug}
                    hint="A short identifier used in links and exports. Lowercase letters, digits and hyphens."
                    spellcheck={false}
                    required
                  />
                </div>
              </Card>
              <Card
                title="Checks and notifications"
                description="Defaults for every instance in this organization."
              >
                <div class="grid gap-5 sm:grid-cols-2">
                  <Select
                    label="Time zone"
                    value={form.timezone}
                    onValue={(v) => set("timezone", v)}
                    options={TIMEZONES.map((zone) => ({
                      value: zone,
                      label: zone.replaceAll("_", " "),
                    }))}
                    error={errors.timezone}
                    hint="Used for schedules and report dates."
                  />
                  <Input
                    label="Dormant account threshold (days)"
                    type="number"
                    inputMode="numeric"
                    min={30}
                    max={365}
                    value={form.dormantAccountDays}
                    onValue={(v) => set("dormantAccountDays", v)}
                    error={errors.dormantAccountDays}
                    hint="Active accounts with no login for more than this many days (or never) are reported by the dormant-account checks (privileged and interactive accounts), from the next analysis. A threshold set on one of those checks itself wins."
                  />
                  <Select
                    label="Default framework"
                    value={form.defaultFramework}
                    onValue={(v) => set("defaultFramework", v)}
                    options={frameworkOptions(frameworks, form.defaultFramework)}
                    error={errors.defaultFramework}
                    hint={frameworksError
                      ? `We couldn't load the frameworks (${frameworksError}); reload the page to choose one.`
                      : "The Analysis page opens its findings filtered to this framework and lists its score first."}
                  />
                  <Textarea
                    label="Notification emails"
                    optional
                    rows={4}
                    value={form.notificationEmails}
                    onValue={(v) => set("notificationEmails", v)}
                    error={errors.notificationEmails}
                    hint={`One address per line, up to 10. ${
                      parseEmails(form.notificationEmails).length
                    } of 10 used.`}
                    spellcheck={false}
                  />
                  <Toggle
                    label="Analyse after every sync"
                    hint="When on, each sync of an instance that succeeds (or partly succeeds) queues a full analysis of it."
                    checked={form.analyzeAfterSync}
                    onValue={(on) => set("analyzeAfterSync", on)}
                  />
                </div>
              </Card>
              {canEdit && (
                <div class="flex items-center justify-end gap-3">
                  {dirty && <span class="text-sm text-fg-muted">You have unsaved changes.</span>}
                  <Button
                    variant="secondary"
                    disabled={!dirty}
                    onClick={() => {
                      setForm(formFromOrg(org));
                      setErrors({});
                    }}
                  >
                    Discard
                  </Button>
                  <Button type="submit" loading={saving} disabled={!dirty}>Save changes</Button>
                </div>
              )}
            </fieldset>
            <Card title="Plan" description="Limits that apply to this organization.">
              <dl class="grid gap-4 text-sm sm:grid-cols-4">
                <div>
                  <dt class="text-fg-muted">Plan</dt>
                  <dd class="mt-1 font-medium capitalize text-fg">{org.plan}</dd>
                </div>
                <div>
                  <dt class="text-fg-muted">Subscription</dt>
                  <dd class="mt-1">
                    <Badge
                      tone={org.subscription_status === "active" ? "success" : "neutral"}
                      class="capitalize"
                    >
                      {org.subscription_status.replaceAll("_", " ")}
                    </Badge>
                  </dd>
                </div>
                <div>
                  <dt class="text-fg-muted">Members</dt>
                  <dd class="mt-1 font-medium text-fg">
                    {org.max_users === null ? "Unlimited" : `Up to ${org.max_users}`}
                  </dd>
                </div>
                <div>
                  <dt class="text-fg-muted">Created</dt>
                  <dd class="mt-1 font-medium text-fg">{formatDate(org.created_at)}</dd>
                </div>
              </dl>
            </Card>
          </form>
        )}
      {org && (
        <div class="mt-6">
          <ReportBrandingCard
            org={org}
            canEdit={canEdit}
            onSaved={(updated) => {
              setOrg(updated);
              setForm(formFromOrg(updated));
              orgs.applyUpdate(updated);
            }}
          />
        </div>
      )}
      {can(current.role, "organizations.delete") && (
        <div class="mt-6">
          <DeleteOrgCard orgId={current.id} orgName={current.name} />
        </div>
      )}
    </>
  );
}
