/**
 * The channel and rule forms' rules, apart from the components so they can be
 * tested: drafts, validation with messages a user can act on, the bodies sent,
 * and which field a refusal from the API belongs to.
 *
 * @module
 */
import { ApiError } from "../../lib/api_error.ts";
import type { Role } from "../../lib/api_types.ts";
import {
  type Channel,
  CHANNEL_KINDS,
  type ChannelKind,
  type CreateChannelBody,
  keysOf,
  type Rule,
  RULE_EVENTS,
  type RuleEvent,
} from "./notification_catalog.ts";
import type { CreateRuleBody, UpdateChannelBody } from "./settings_api.ts";

/** What the channel form holds. `list` is the recipients as typed (one text). */
export interface ChannelDraft {
  kind: ChannelKind;
  name: string;
  url: string;
  list: string;
}

/** A form's problems: per field, and one for the whole form. */
export type FormErrors<F extends string> = Partial<Record<F | "form", string>>;

/** Fields of the channel form. */
export type ChannelField = "name" | "url" | "list";

/**
 * The draft for a new channel, or one to edit. A masked URL (Slack, Teams) is
 * not filled in: it cannot be sent back, and left empty it is kept.
 *
 * @param channel the channel being edited, if any
 */
export function channelDraft(channel?: Channel): ChannelDraft {
  if (!channel) return { kind: keysOf(CHANNEL_KINDS)[0]!, name: "", url: "", list: "" };
  const info = CHANNEL_KINDS[channel.kind];
  const target = info.target;
  return {
    kind: channel.kind,
    name: channel.name,
    url: target.type === "url" && !info.maskedUrl ? channel.url ?? "" : "",
    list: target.type === "list" ? (channel[target.field] as string[]).join("\n") : "",
  };
}

/** Splits typed recipients on commas, semicolons and white space; drops blanks and repeats. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((item) => item.trim()).filter(Boolean))];
}

function checkUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "Enter a full URL, starting with https://";
  }
  return parsed.protocol === "https:" || parsed.protocol === "http:"
    ? null
    : "Enter an https:// URL";
}

/**
 * Checks a channel draft and builds what to send: the whole channel when
 * creating, only what changed when editing (`original`).
 *
 * @param draft the form's values
 * @param original the channel being edited, if any
 * @returns the errors, or the body
 */
export function channelBody(
  draft: ChannelDraft,
  original?: Channel,
):
  | { errors: FormErrors<ChannelField> }
  | { errors: null; body: CreateChannelBody | UpdateChannelBody } {
  const errors: FormErrors<ChannelField> = {};
  const info = CHANNEL_KINDS[draft.kind];
  const name = draft.name.trim();
  if (!name) errors.name = "Give the channel a name, e.g. “Security team”.";
  else if (name.length > 100) errors.name = "Keep the name to 100 characters.";
  const target: Record<string, unknown> = {};
  if (info.target.type === "url") {
    const url = draft.url.trim();
    const keep = original && info.maskedUrl && !url;
    if (!url && !keep) errors.url = `Enter the ${info.target.label.toLowerCase()}.`;
    else if (url) {
      const problem = checkUrl(url);
      if (problem) errors.url = problem;
      else if (url !== original?.url) target.url = url;
    }
  } else {
    const items = splitList(draft.list);
    const bad = items.map((item) => [item, info.target.type === "list" && info.target.check(item)])
      .filter(([, problem]) => problem);
    if (items.length === 0) errors.list = `Enter at least one: ${info.target.placeholder}`;
    else if (bad.length) errors.list = `“${bad[0]![0]}” ${bad[0]![1]}.`;
    else if (items.length > info.target.max) {
      errors.list = `At most ${info.target.max}; you entered ${items.length}.`;
    } else target[info.target.field] = items;
  }
  if (Object.keys(errors).length) return { errors };
  if (!original) return { errors: null, body: { name, kind: draft.kind, ...target } };
  return {
    errors: null,
    body: { ...(name !== original.name ? { name } : {}), ...target } as UpdateChannelBody,
  };
}

/** What the rule form holds (numbers as typed). */
export interface RuleDraft {
  name: string;
  event: RuleEvent;
  min_severity: Rule["min_severity"];
  threshold: string;
  /** framework.readiness_below: the framework watched; "" for every one. */
  framework: string;
  /** security.event: audit actions, comma- or space-separated; "" for every one. */
  actions: string;
  channel_ids: string[];
  in_app_role: "" | Role;
  throttle_minutes: string;
}

/** Fields of the rule form. */
export type RuleField = "name" | "threshold" | "actions" | "channels" | "throttle_minutes";

/**
 * The draft for a new rule, or one to edit.
 *
 * @param rule the rule being edited, if any
 */
export function ruleDraft(rule?: Rule): RuleDraft {
  if (rule) {
    return {
      name: rule.name,
      event: rule.event,
      min_severity: rule.min_severity,
      threshold: String(
        RULE_EVENTS[rule.event].threshold?.field === "days" ? rule.days : rule.threshold,
      ),
      framework: rule.framework ?? "",
      actions: rule.actions.join(", "),
      channel_ids: [...rule.channel_ids],
      in_app_role: rule.in_app_role ?? "",
      throttle_minutes: String(rule.throttle_minutes),
    };
  }
  const event = keysOf(RULE_EVENTS)[0]!;
  return {
    name: "",
    event,
    min_severity: "critical",
    threshold: String(RULE_EVENTS[event].threshold?.default ?? 5),
    framework: "",
    actions: "",
    channel_ids: [],
    in_app_role: "admin",
    throttle_minutes: "60",
  };
}

function wholeNumber(text: string, min: number, max: number): number | null {
  const value = Number(text.trim());
  return text.trim() && Number.isInteger(value) && value >= min && value <= max ? value : null;
}

/** An audit action, or a prefix ending in `.*` (the API checks the same). */
const AUDIT_ACTION = /^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/;

/** Longest throttle the API accepts: a week, in minutes. */
export const MAX_THROTTLE_MINUTES = 10_080;

/**
 * Checks a rule draft and builds the body (create and edit send the same
 * fields; the event's own fields only when it has them).
 *
 * @param draft the form's values
 * @returns the errors, or the body
 */
export function ruleBody(
  draft: RuleDraft,
): { errors: FormErrors<RuleField> } | { errors: null; body: CreateRuleBody } {
  const errors: FormErrors<RuleField> = {};
  const info = RULE_EVENTS[draft.event];
  const name = draft.name.trim();
  if (!name) errors.name = "Give the rule a name, e.g. “Critical findings to the SOC”.";
  else if (name.length > 100) errors.name = "Keep the name to 100 characters.";
  const threshold = info.threshold
    ? wholeNumber(draft.threshold, info.threshold.min, info.threshold.max)
    : null;
  if (info.threshold && threshold === null) {
    errors.threshold = `Enter a whole number from ${info.threshold.min} to ${info.threshold.max}.`;
  }
  const actions = draft.actions.split(/[\s,]+/).filter(Boolean);
  if (info.actions) {
    const bad = actions.find((a) => !AUDIT_ACTION.test(a) || a.length > 100);
    if (bad) {
      errors.actions = `“${bad}” is not an audit action such as members.change_role or members.*.`;
    } else if (actions.length > 20) errors.actions = "Name at most 20 actions.";
  }
  const throttle = wholeNumber(draft.throttle_minutes, 0, MAX_THROTTLE_MINUTES);
  if (throttle === null) {
    errors.throttle_minutes =
      `Enter minutes from 0 (no throttling) to ${MAX_THROTTLE_MINUTES} (a week).`;
  }
  if (draft.channel_ids.length === 0 && !draft.in_app_role) {
    errors.channels = "Choose at least one channel, or members to notify in the app.";
  }
  if (Object.keys(errors).length) return { errors };
  return {
    errors: null,
    body: {
      name,
      event: draft.event,
      ...(info.severity ? { min_severity: draft.min_severity } : {}),
      ...(threshold !== null ? { [info.threshold?.field ?? "threshold"]: threshold } : {}),
      ...(info.framework ? { framework: draft.framework || null } : {}),
      ...(info.actions ? { actions } : {}),
      channel_ids: draft.channel_ids,
      in_app_role: draft.in_app_role || null,
      throttle_minutes: throttle!,
    },
  };
}

/**
 * Sorts a refusal from the API onto the form: a validation problem of a known
 * field goes under that field, anything else (a URL the server will not call,
 * a 403) to the form.
 *
 * @param cause what the call threw
 * @param fields API field name → form field, e.g. `{ emails: "list" }`
 * @param fallback the message for the form
 */
export function apiErrors<F extends string>(
  cause: unknown,
  fields: Record<string, F>,
  fallback: string,
): FormErrors<F> {
  const errors: FormErrors<F> = {};
  if (!(cause instanceof ApiError) || !Array.isArray(cause.details)) {
    errors.form = fallback;
    return errors;
  }
  const rest: string[] = [];
  for (const detail of cause.details as { path?: unknown; message?: unknown }[]) {
    const field = fields[String(detail?.path ?? "").split(".")[0]!];
    const message = typeof detail?.message === "string" ? detail.message : "is not valid";
    if (field && !errors[field]) errors[field] = message;
    else rest.push(message);
  }
  if (rest.length || Object.keys(errors).length === 0) {
    errors.form = rest.length ? `${fallback.replace(/\.$/, "")}: ${rest.join("; ")}.` : fallback;
  }
  return errors;
}

/**
 * A refused channel save sorted onto the form. The API checks the target
 * itself (it resolves the host, refuses private addresses and http outside dev
 * mode) and says why with a 422, which belongs under the target's field.
 *
 * @param cause what the call threw
 * @param kind the channel's kind
 * @param fallback the message for the form
 */
export function channelApiErrors(
  cause: unknown,
  kind: ChannelKind,
  fallback: string,
): FormErrors<ChannelField> {
  const target = CHANNEL_KINDS[kind].target;
  const targetField: ChannelField = target.type === "url" ? "url" : "list";
  if (cause instanceof ApiError && cause.status === 422 && !Array.isArray(cause.details)) {
    return { [targetField]: fallback };
  }
  const fields: Record<string, ChannelField> = { name: "name", url: "url" };
  if (target.type === "list") fields[target.field] = "list";
  return apiErrors(cause, fields, fallback);
}
