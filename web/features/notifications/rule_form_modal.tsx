import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Input } from "../../components/input.tsx";
import { Modal } from "../../components/modal.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";
import { createAnalysisApi } from "../analysis/analysis_api.ts";
import {
  type Channel,
  IN_APP_CHOICES,
  keysOf,
  type Rule,
  RULE_EVENTS,
  SEVERITY_CHOICES,
} from "./notification_catalog.ts";
import type { CreateRuleBody } from "./settings_api.ts";
import { ChannelChoices } from "./channel_choices.tsx";
import {
  apiErrors,
  type FormErrors,
  MAX_THROTTLE_MINUTES,
  ruleBody,
  type RuleDraft,
  ruleDraft,
  type RuleField,
} from "./settings_forms.ts";

/** Props of {@linkcode RuleFormModal}. */
export interface RuleFormModalProps {
  open: boolean;
  /** The rule to edit; none to create one. */
  rule: Rule | null;
  channels: Channel[];
  onClose: () => void;
  /** Saves; a refusal is shown in the form, which stays open. */
  onSave: (body: CreateRuleBody) => Promise<void>;
}

const API_FIELDS: Record<string, RuleField> = {
  name: "name",
  threshold: "threshold",
  days: "threshold",
  actions: "actions",
  channel_ids: "channels",
  in_app_role: "channels",
  throttle_minutes: "throttle_minutes",
};

/** Adds or changes an alert rule: event, its threshold, channels, in-app recipients, throttle. */
export function RuleFormModal(props: RuleFormModalProps): JSX.Element {
  const [draft, setDraft] = useState<RuleDraft>(() => ruleDraft(props.rule ?? undefined));
  const [errors, setErrors] = useState<FormErrors<RuleField>>({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!props.open) return;
    setDraft(ruleDraft(props.rule ?? undefined));
    setErrors({});
  }, [props.open, props.rule]);

  const info = RULE_EVENTS[draft.event];
  const set = <K extends keyof RuleDraft>(key: K) => (value: RuleDraft[K]) =>
    setDraft({ ...draft, [key]: value });

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    const checked = ruleBody(draft);
    if (checked.errors) return setErrors(checked.errors);
    setBusy(true);
    setErrors({});
    try {
      await props.onSave(checked.body);
    } catch (cause) {
      setErrors(apiErrors(cause, API_FIELDS, errorMessage(cause)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={props.open}
      onClose={props.onClose}
      size="lg"
      title={props.rule ? `Edit “${props.rule.name}”` : "Add an alert rule"}
      description="When the event happens, the rule sends one alert per cause to its channels and members."
    >
      <form onSubmit={submit} class="grid gap-4 sm:grid-cols-2" noValidate>
        {errors.form && <Alert tone="error" class="sm:col-span-2">{errors.form}</Alert>}
        <Input
          label="Name"
          class="sm:col-span-2"
          value={draft.name}
          onValue={set("name")}
          maxLength={100}
          required
          autoComplete="off"
          error={errors.name}
        />
        <Select
          label="Event"
          class="sm:col-span-2"
          value={draft.event}
          options={keysOf(RULE_EVENTS).map((e) => ({ value: e, label: RULE_EVENTS[e].label }))}
          onValue={(event) =>
            setDraft({
              ...draft,
              event,
              threshold: String(RULE_EVENTS[event].threshold?.default ?? draft.threshold),
            })}
          hint={info.description}
        />
        {info.severity && (
          <Select
            label="Severity"
            value={draft.min_severity}
            options={SEVERITY_CHOICES}
            onValue={set("min_severity")}
          />
        )}
        {info.threshold && (
          <Input
            label={info.threshold.label}
            type="number"
            inputMode="numeric"
            min={info.threshold.min}
            max={info.threshold.max}
            step={1}
            value={draft.threshold}
            onValue={set("threshold")}
            error={errors.threshold}
            hint={info.threshold.hint}
          />
        )}
        {info.framework && <FrameworkSelect value={draft.framework} onValue={set("framework")} />}
        {info.actions && (
          <Input
            label="Audit actions (optional)"
            value={draft.actions}
            onValue={set("actions")}
            error={errors.actions}
            placeholder="members.change_role, api_keys.*"
            hint="Comma-separated; a name ending in .* matches a prefix. Empty: every security event."
          />
        )}
        <div class="sm:col-span-2">
          <ChannelChoices
            channels={props.channels}
            selected={draft.channel_ids}
            error={errors.channels}
            onValue={set("channel_ids")}
          />
        </div>
        <Select
          label="Notify in the app"
          value={draft.in_app_role}
          options={IN_APP_CHOICES}
          onValue={set("in_app_role")}
          hint="Members who get it under the bell."
        />
        <Input
          label="Throttle (minutes)"
          type="number"
          inputMode="numeric"
          min={0}
          max={MAX_THROTTLE_MINUTES}
          step={1}
          value={draft.throttle_minutes}
          onValue={set("throttle_minutes")}
          error={errors.throttle_minutes}
          hint="At most one alert in this window; 0 sends every time."
        />
        <div class="flex flex-wrap justify-end gap-2 pt-2 sm:col-span-2">
          <Button variant="secondary" onClick={props.onClose}>Cancel</Button>
          <Button type="submit" loading={busy}>{props.rule ? "Save rule" : "Add rule"}</Button>
        </div>
      </form>
    </Modal>
  );
}

/** The framework a readiness rule watches, from the check catalog ("" for every one). */
function FrameworkSelect(
  props: { value: string; onValue: (value: string) => void },
): JSX.Element {
  const { api } = useApp();
  const [frameworks, setFrameworks] = useState<{ id: string; name: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    createAnalysisApi(api).frameworks().then(
      (list) => live && setFrameworks(list.map((f) => ({ id: f.id, name: f.name }))),
      (cause) => live && setError(errorMessage(cause)),
    );
    return () => {
      live = false;
    };
  }, [api]);
  const options = [
    { value: "", label: "Any framework" },
    ...frameworks.map((f) => ({ value: f.id, label: f.name })),
  ];
  if (props.value && !frameworks.some((f) => f.id === props.value)) {
    options.push({ value: props.value, label: props.value });
  }
  return (
    <Select
      label="Framework"
      value={props.value}
      options={options}
      onValue={props.onValue}
      hint={error ? `The frameworks could not be loaded: ${error}` : undefined}
    />
  );
}
