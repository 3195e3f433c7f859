import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { PlugZap } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Input } from "../../components/input.tsx";
import { Modal } from "../../components/modal.tsx";
import { Select } from "../../components/select.tsx";
import { ApiError } from "../../lib/api_error.ts";
import type { AuthType, HealthReport, Instance, InstanceCredentials } from "./instances_api.ts";
import { HealthReportView } from "./health_report.tsx";
import {
  connectionKey,
  credentialsOf,
  emptyForm,
  formFromInstance,
  type InstanceForm,
  type InstanceFormErrors,
  validateForm,
} from "./instance_form.ts";
import { AUTH_TYPES, problemMessage } from "./instance_rules.ts";

/** Props of {@linkcode InstanceFormModal}. */
export interface InstanceFormModalProps {
  open: boolean;
  /** The instance being edited, or null to add one. */
  editing: Instance | null;
  onClose: () => void;
  /** Tests the settings in the form (saved credentials fill in what is blank on an edit). */
  onTest: (url: string, credentials: InstanceCredentials | null) => Promise<HealthReport>;
  /** Saves; a rejection is shown in the form. */
  onSave: (values: {
    name: string;
    url: string;
    credentials: InstanceCredentials | null;
  }) => Promise<void>;
}

/**
 * Adds or edits an instance. The connection is tested before saving: Save is
 * offered once a test of the current settings ran (as "Save anyway" when it
 * failed). Secret fields are write-only: they start empty, and on an edit
 * blank fields keep the saved credentials.
 */
export function InstanceFormModal(props: InstanceFormModalProps): JSX.Element {
  const editing = props.editing;
  // The parent keys the dialog by what it edits, so each opening starts from this
  // state: a password typed in an earlier dialog is never shown, not even for a frame.
  const [form, setForm] = useState<InstanceForm>(() =>
    editing ? formFromInstance(editing) : emptyForm()
  );
  const [errors, setErrors] = useState<InstanceFormErrors>({});
  const [report, setReport] = useState<{ key: string; value: HealthReport } | null>(null);
  const [testing, setTesting] = useState(false);
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    if (!props.open) return;
    setForm(editing ? formFromInstance(editing) : emptyForm());
    setErrors({});
    setReport(null);
    setFailure(null);
  }, [props.open, editing?.id]);

  const set = <K extends keyof InstanceForm>(key: K) => (value: InstanceForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  const key = connectionKey(form);
  const connectionChanged = !editing || key !== connectionKey(formFromInstance(editing));
  const fresh = report !== null && report.key === key;
  const passed = fresh && report.value.reachable && report.value.authenticated;
  // Only a name change needs no new test.
  const mustTest = connectionChanged && !fresh;

  function check(): boolean {
    const found = validateForm(form, editing);
    setErrors(found);
    return Object.keys(found).length === 0;
  }

  async function test(): Promise<void> {
    if (!check()) return;
    setTesting(true);
    setFailure(null);
    try {
      const value = await props.onTest(form.url.trim(), credentialsOf(form));
      setReport({ key, value });
    } catch (cause) {
      setFailure(problemMessage(cause));
      showUrlError(cause);
    } finally {
      setTesting(false);
    }
  }

  function showUrlError(cause: unknown): void {
    if (cause instanceof ApiError && cause.status === 422) {
      setErrors((e) => ({ ...e, url: cause.message }));
    }
  }

  async function save(event: Event): Promise<void> {
    event.preventDefault();
    if (!check() || mustTest) return;
    setSaving(true);
    setFailure(null);
    try {
      await props.onSave({
        name: form.name.trim(),
        url: form.url.trim(),
        credentials: credentialsOf(form),
      });
      props.onClose();
    } catch (cause) {
      setFailure(problemMessage(cause));
      showUrlError(cause);
    } finally {
      setSaving(false);
    }
  }

  const showUser = form.authType !== "oauth_client_credentials";
  const showClient = form.authType !== "basic";
  const keepHint = editing ? "Leave blank to keep the saved value." : undefined;
  const secretPlaceholder = editing ? "•••••••• (saved, hidden)" : undefined;

  return (
    <Modal
      open={props.open}
      onClose={props.onClose}
      size="lg"
      title={editing ? `Edit ${editing.name}` : "Add a ServiceNow instance"}
      description="ComplianceIQ reads security data through the Table API with a read-only integration user. Credentials are encrypted and can never be read back."
    >
      <form onSubmit={save} class="space-y-4" noValidate>
        {failure && <Alert tone="error">{failure}</Alert>}
        <div class="grid gap-4 sm:grid-cols-2">
          <Input
            label="Name"
            value={form.name}
            onValue={set("name")}
            error={errors.name}
            maxLength={100}
            required
          />
          <Input
            label="Instance URL"
            value={form.url}
            onValue={set("url")}
            error={errors.url}
            placeholder="acme or https://acme.service-now.com"
            hint="https only; a bare name becomes https://<name>.service-now.com."
            spellcheck={false}
            autoComplete="off"
            required
          />
        </div>
        <Select
          label="Authentication"
          value={form.authType}
          onValue={(v: AuthType) => set("authType")(v)}
          options={AUTH_TYPES}
        />
        <div class="grid gap-4 sm:grid-cols-2">
          {showClient && (
            <Input
              label="Client ID"
              value={form.clientId}
              onValue={set("clientId")}
              error={errors.clientId}
              autoComplete="off"
              spellcheck={false}
              hint={keepHint}
            />
          )}
          {showClient && (
            <Input
              label="Client secret"
              type="password"
              value={form.clientSecret}
              onValue={set("clientSecret")}
              error={errors.clientSecret}
              autoComplete="new-password"
              placeholder={secretPlaceholder}
              hint={keepHint}
            />
          )}
          {showUser && (
            <Input
              label="User name"
              value={form.username}
              onValue={set("username")}
              error={errors.username}
              autoComplete="off"
              spellcheck={false}
              hint={keepHint}
            />
          )}
          {showUser && (
            <Input
              label="Password"
              type="password"
              value={form.password}
              onValue={set("password")}
              error={errors.password}
              autoComplete="new-password"
              placeholder={secretPlaceholder}
              hint={keepHint}
            />
          )}
        </div>
        {report && <HealthReportView report={report.value} stale={!fresh} />}
        <div class="flex flex-wrap items-center justify-end gap-2 border-t border-line pt-4">
          {mustTest && (
            <p class="mr-auto text-sm text-fg-muted">Test the connection before saving.</p>
          )}
          <Button variant="secondary" onClick={props.onClose}>Cancel</Button>
          <Button
            variant={mustTest ? "primary" : "secondary"}
            icon={PlugZap}
            loading={testing}
            onClick={() => void test()}
          >
            Test connection
          </Button>
          <Button
            type="submit"
            variant={!mustTest && (passed || !connectionChanged) ? "primary" : "secondary"}
            disabled={mustTest}
            loading={saving}
          >
            {connectionChanged && fresh && !passed
              ? "Save anyway"
              : editing
              ? "Save changes"
              : "Add instance"}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
