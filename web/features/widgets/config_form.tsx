/**
 * A template's configuration form, generated from the JSON Schema the
 * templates API returns (enums, numbers, booleans, strings and arrays of
 * them). The server validates again on save; its field errors are shown here.
 *
 * @module
 */
import type { JSX } from "preact";
import { useId } from "preact/hooks";
import { Input } from "../../components/input.tsx";
import { Select } from "../../components/select.tsx";
import { capitalize } from "../dashboard/posture_ui.tsx";
import type { WidgetConfig } from "./widgets_api.ts";

/** The subset of JSON Schema the templates use. */
export interface FieldSchema {
  type?: string;
  enum?: string[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  items?: FieldSchema;
}

/** Props of {@linkcode ConfigForm}. */
export interface ConfigFormProps {
  schema: Record<string, unknown>;
  value: WidgetConfig;
  onValue: (value: WidgetConfig) => void;
  /** Errors by field (`config.` stripped from the API's paths). */
  errors?: Record<string, string>;
  disabled?: boolean;
}

/**
 * The configuration's fields, in schema order.
 *
 * @param schema a template's `config_schema`
 */
export function schemaFields(schema: Record<string, unknown>): [string, FieldSchema][] {
  return Object.entries((schema.properties ?? {}) as Record<string, FieldSchema>);
}

/**
 * A field's value with an empty input removed (optional fields are left out).
 *
 * @param config the configuration
 * @param field the field
 * @param value the new value; undefined, "" or [] removes it
 */
export function withField(config: WidgetConfig, field: string, value: unknown): WidgetConfig {
  const next = { ...config };
  if (value === undefined || value === "" || (Array.isArray(value) && !value.length)) {
    delete next[field];
  } else next[field] = value;
  return next;
}

function hintOf(s: FieldSchema): string | undefined {
  if (s.type === "integer" || s.type === "number") {
    return `${s.minimum ?? "…"}–${s.maximum ?? "…"}${
      s.default !== undefined ? `, default ${s.default}` : ""
    }`;
  }
  if (s.type === "array" && s.items?.pattern) return "Ids separated by commas, e.g. nist_800_53";
  if (s.type === "string" && s.pattern) return "An id, e.g. nist_800_53; empty for all";
  return undefined;
}

function EnumChecks(
  props: {
    id: string;
    label: string;
    s: FieldSchema;
    value: string[];
    onValue: (v: string[]) => void;
    error?: string;
    disabled?: boolean;
  },
): JSX.Element {
  const options = props.s.items?.enum ?? [];
  return (
    <fieldset class="space-y-1.5" aria-describedby={props.error ? `${props.id}-error` : undefined}>
      <legend class="text-sm font-medium text-fg">
        {props.label} <span class="font-normal text-fg-muted">(optional: all when none)</span>
      </legend>
      <div class="flex flex-wrap gap-x-4 gap-y-1">
        {options.map((o) => (
          <label key={o} class="flex items-center gap-1.5 text-sm text-fg">
            <input
              type="checkbox"
              disabled={props.disabled}
              checked={props.value.includes(o)}
              onChange={(e) =>
                props.onValue(
                  (e.currentTarget as HTMLInputElement).checked
                    ? [...props.value, o]
                    : props.value.filter((v) => v !== o),
                )}
            />
            {capitalize(o)}
          </label>
        ))}
      </div>
      {props.error && (
        <p id={`${props.id}-error`} class="text-sm text-red-700 dark:text-red-300">{props.error}</p>
      )}
    </fieldset>
  );
}

function ConfigField(
  props: { id: string; name: string; s: FieldSchema; required: boolean } & ConfigFormProps,
): JSX.Element {
  const { name, s, value } = props;
  const label = capitalize(name);
  const error = props.errors?.[name];
  const set = (v: unknown) => props.onValue(withField(value, name, v));
  const current = value[name];
  if (s.enum) {
    const optional = s.default === undefined;
    return (
      <Select
        label={label}
        value={String(current ?? "")}
        error={error}
        disabled={props.disabled}
        options={[
          ...(optional ? [{ value: "", label: "Any" }] : []),
          ...s.enum.map((o) => ({ value: o, label: capitalize(o) })),
        ]}
        onValue={(v) => set(v || undefined)}
      />
    );
  }
  if (s.type === "boolean") {
    return (
      <label class="flex items-center gap-2 text-sm text-fg">
        <input
          type="checkbox"
          disabled={props.disabled}
          checked={current === true}
          onChange={(e) => set((e.currentTarget as HTMLInputElement).checked)}
        />
        {label}
      </label>
    );
  }
  if (s.type === "array" && s.items?.enum) {
    return (
      <EnumChecks
        id={props.id}
        label={label}
        s={s}
        value={(current as string[] | undefined) ?? []}
        onValue={set}
        error={error}
        disabled={props.disabled}
      />
    );
  }
  if (s.type === "integer" || s.type === "number") {
    return (
      <Input
        label={label}
        type="number"
        min={s.minimum}
        max={s.maximum}
        value={current === undefined ? "" : String(current)}
        hint={hintOf(s)}
        error={error}
        disabled={props.disabled}
        onValue={(v) => set(v === "" ? undefined : Number(v))}
      />
    );
  }
  const isArray = s.type === "array";
  return (
    <Input
      label={label}
      optional={!props.required}
      value={isArray ? ((current as string[] | undefined) ?? []).join(", ") : String(current ?? "")}
      hint={hintOf(s)}
      error={error}
      disabled={props.disabled}
      onValue={(v) =>
        set(isArray ? v.split(",").map((x) => x.trim()).filter(Boolean) : v.trim() || undefined)}
    />
  );
}

/** The configuration form of one template. */
export function ConfigForm(props: ConfigFormProps): JSX.Element {
  const id = useId();
  const required = new Set((props.schema.required ?? []) as string[]);
  const fields = schemaFields(props.schema);
  if (!fields.length) return <p class="text-sm text-fg-muted">This template has no settings.</p>;
  return (
    <div class="space-y-4">
      {fields.map(([name, s]) => (
        <ConfigField
          key={name}
          id={`${id}-${name}`}
          name={name}
          s={s}
          required={required.has(name)}
          {...props}
        />
      ))}
    </div>
  );
}

/**
 * Field errors of a 400 `validation_failed` answer, by configuration field.
 *
 * @param details the error's details (`[{path: "config.limit", message}]`)
 */
export function configErrors(details: unknown): Record<string, string> {
  if (!Array.isArray(details)) return {};
  const out: Record<string, string> = {};
  for (const d of details as { path?: string; message?: string }[]) {
    if (typeof d.path === "string" && d.path.startsWith("config.")) {
      out[d.path.slice(7).split(".")[0]!] ??= d.message ?? "Not valid";
    }
  }
  return out;
}
