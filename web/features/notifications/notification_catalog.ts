/**
 * The one place the web app describes notification channel kinds, rule events
 * and delivery statuses. Each table is keyed by the API's own enum, so a kind,
 * event or status the API gains fails type-checking until it has its entry
 * here — and with that entry the forms, tables and filters offer it.
 *
 * @module
 */
import type { BadgeTone } from "../../components/badge.tsx";
import type { Role } from "../../lib/api_types.ts";
import type { InputOf, ResponseOf } from "../../lib/typed_client.ts";

/** A channel as the settings page lists it (with its latest delivery). */
export type Channel = ResponseOf<"GET /notifications/:orgId/channels">["data"][number];
/** A kind of channel, e.g. "webhook". */
export type ChannelKind = Channel["kind"];
/** An alert rule. */
export type Rule = ResponseOf<"GET /notifications/:orgId/rules">["data"][number];
/** An event a rule can alert on, e.g. "score.drop". */
export type RuleEvent = Rule["event"];
/** One row of the delivery log. */
export type Delivery = ResponseOf<"GET /notifications/:orgId/deliveries">["data"][number];
/** A delivery's outcome, e.g. "sent". */
export type DeliveryStatus = Delivery["status"];
/** The body that creates a channel. */
export type CreateChannelBody = InputOf<"POST /notifications/:orgId/channels">["body"];

/** Fields of a channel that hold a list of recipients (email addresses today). */
export type ListField =
  & {
    [K in keyof CreateChannelBody]-?: NonNullable<CreateChannelBody[K]> extends string[] ? K
      : never;
  }[keyof CreateChannelBody]
  & keyof Channel;

/** Where a channel of a kind sends: a list of recipients, or one URL. */
export type ChannelTarget =
  | {
    type: "list";
    field: ListField;
    label: string;
    hint: string;
    placeholder: string;
    /** Most entries the API accepts. */
    max: number;
    /** Why one entry is not acceptable, or null. */
    check: (item: string) => string | null;
  }
  | { type: "url"; label: string; hint: string; placeholder: string };

/** How the web app presents one channel kind. */
export interface ChannelKindInfo {
  label: string;
  /** One line for the kind picker. */
  description: string;
  target: ChannelTarget;
  /** The API hides the URL after saving (Slack/Teams carry their credential in it). */
  maskedUrl?: boolean;
  /** Messages are signed with a secret shown once (Standard Webhooks). */
  signed?: boolean;
}

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;

/** Every channel kind, in the order the kind picker lists them. */
export const CHANNEL_KINDS: Record<ChannelKind, ChannelKindInfo> = {
  email: {
    label: "Email",
    description: "An email to each address, with text and HTML parts.",
    target: {
      type: "list",
      field: "emails",
      label: "Email addresses",
      hint: "Up to 50, separated by commas or new lines.",
      placeholder: "security@example.com",
      max: 50,
      check: (item) => (EMAIL.test(item) && item.length <= 320 ? null : "is not an email address"),
    },
  },
  sms: {
    label: "SMS",
    description: "A short text message to each phone number.",
    target: {
      type: "list",
      field: "phones",
      label: "Phone numbers",
      hint:
        "Up to 20, in international form (+ and country code), separated by commas or new lines.",
      placeholder: "+14155550100",
      max: 20,
      check: (item) => (E164.test(item) ? null : "is not a phone number in +E.164 form"),
    },
  },
  webhook: {
    label: "Webhook",
    description: "A JSON POST signed as Standard Webhooks specifies.",
    target: {
      type: "url",
      label: "Endpoint URL",
      hint: "An https URL that answers 2xx. Redirects are not followed.",
      placeholder: "https://siem.example.com/hooks/complianceiq",
    },
    signed: true,
  },
  slack: {
    label: "Slack",
    description: "A message in a channel, through a Slack incoming webhook.",
    target: {
      type: "url",
      label: "Incoming webhook URL",
      hint: "From your Slack app's “Incoming Webhooks” page.",
      placeholder: "https://hooks.slack.com/services/…",
    },
    maskedUrl: true,
  },
  teams: {
    label: "Microsoft Teams",
    description: "An Adaptive Card in a channel, through a Teams incoming webhook.",
    target: {
      type: "url",
      label: "Incoming webhook URL",
      hint: "From the channel's Workflows or Connectors settings.",
      placeholder: "https://….webhook.office.com/…",
    },
    maskedUrl: true,
  },
};

/** The rule's number field, when its event has one. */
export interface ThresholdField {
  label: string;
  hint: string;
  min: number;
  max: number;
  default: number;
  /** How a value reads in the rules list, e.g. (5) => "by 5+ points". */
  describe: (value: number) => string;
  /** The rule field the number is sent as (default `threshold`). */
  field?: "threshold" | "days";
}

/** How the web app presents one rule event, and which fields it uses. */
export interface RuleEventInfo {
  label: string;
  description: string;
  /** The event counts findings from `min_severity` up. */
  severity?: boolean;
  threshold?: ThresholdField;
  /** The rule may watch one framework (or every one). */
  framework?: boolean;
  /** The rule may be limited to some audit actions (security events). */
  actions?: boolean;
}

/** Every rule event, in the order the event picker lists them. */
export const RULE_EVENTS: Record<RuleEvent, RuleEventInfo> = {
  "findings.new": {
    label: "New findings",
    description: "A run has new or reopened findings of this severity or worse.",
    severity: true,
  },
  "score.drop": {
    label: "Score drop",
    description: "A run's overall score fell against the previous run.",
    threshold: {
      label: "Drop of at least (points)",
      hint: "1 to 100 points.",
      min: 1,
      max: 100,
      default: 5,
      describe: (n) => `by ${n}+ point${n === 1 ? "" : "s"}`,
    },
  },
  "job.failed": {
    label: "Sync or run failed",
    description: "An analysis run or a sync failed after its retries.",
  },
  "report.ready": {
    label: "Report ready",
    description: "A scheduled report was generated.",
  },
  "framework.readiness_below": {
    label: "Framework readiness below",
    description: "After a run, a framework's score falls under the threshold.",
    threshold: {
      label: "Score under",
      hint: "1 to 100: alerts when the score falls below it.",
      min: 1,
      max: 100,
      default: 80,
      describe: (n) => `under ${n}`,
    },
    framework: true,
  },
  "instance.unreachable": {
    label: "Instance unreachable",
    description: "A sync could not connect to an instance (network, DNS, timeout, hibernating).",
  },
  "suppression.expiring": {
    label: "Suppression expiring",
    description: "A suppression or accepted risk expires within the number of days.",
    threshold: {
      label: "Days ahead",
      hint: "1 to 90 days before the expiry.",
      min: 1,
      max: 90,
      default: 14,
      describe: (n) => `${n} day${n === 1 ? "" : "s"} ahead`,
      field: "days",
    },
  },
  "security.event": {
    label: "Security event",
    description:
      "The audit trail recorded a security event: a failed sign-in, a locked account, a role change, an API key or credentials added, an export…",
    actions: true,
  },
};

/** Severities a findings rule can start from. */
export const SEVERITY_CHOICES: ReadonlyArray<{ value: Rule["min_severity"]; label: string }> = [
  { value: "critical", label: "Critical only" },
  { value: "high", label: "High or critical" },
];

/** How each delivery status reads, in the order the status filter lists them. */
export const DELIVERY_STATUSES: Record<DeliveryStatus, { label: string; tone: BadgeTone }> = {
  sent: { label: "Sent", tone: "success" },
  failed: { label: "Failed", tone: "danger" },
  throttled: { label: "Throttled", tone: "neutral" },
};

/** Who gets in-app notifications: nobody, or members from a role up. */
export const IN_APP_CHOICES: ReadonlyArray<{ value: "" | Role; label: string }> = [
  { value: "", label: "Nobody (channels only)" },
  { value: "viewer", label: "Every member" },
  { value: "auditor", label: "Auditors and above" },
  { value: "analyst", label: "Analysts and above" },
  { value: "admin", label: "Admins and owners" },
  { value: "owner", label: "Owners" },
];

/** Keys of a record, typed, in declaration order. */
export function keysOf<K extends string>(record: Record<K, unknown>): K[] {
  return Object.keys(record) as K[];
}

/**
 * What a channel sends to, as the API returns it (Slack/Teams URLs masked).
 *
 * @param channel the channel
 */
export function channelTarget(channel: Channel): string {
  const target = CHANNEL_KINDS[channel.kind].target;
  if (target.type === "list") return (channel[target.field] as string[]).join(", ");
  return channel.url ?? "";
}

/**
 * What a rule waits for, in words, e.g. "Score drop by 5+ points".
 *
 * @param rule the rule
 */
export function ruleCondition(
  rule:
    & Pick<Rule, "event" | "min_severity" | "threshold" | "days" | "framework">
    & Partial<Pick<Rule, "actions">>,
): string {
  const info = RULE_EVENTS[rule.event];
  if (info.severity) {
    return `${info.label}: ${rule.min_severity === "critical" ? "critical" : "high or critical"}`;
  }
  if (info.actions) {
    return `${info.label}: ${rule.actions?.length ? rule.actions.join(", ") : "any action"}`;
  }
  const scope = info.framework ? ` (${rule.framework ?? "any framework"})` : "";
  if (info.threshold) {
    const value = info.threshold.field === "days" ? rule.days : rule.threshold;
    return `${info.label} ${info.threshold.describe(value)}${scope}`;
  }
  return info.label;
}

/**
 * Who a rule notifies in the app, in words.
 *
 * @param role the rule's `in_app_role`
 */
export function inAppLabel(role: Role | null): string {
  return IN_APP_CHOICES.find((c) => c.value === (role ?? ""))?.label ?? "Nobody";
}

/**
 * The delivery log's words for a channel kind, including the rule's own in-app row.
 *
 * @param kind a delivery's `channel_kind`
 */
export function deliveryKindLabel(kind: string): string {
  if (kind === "in_app") return "In-app";
  return kind in CHANNEL_KINDS ? CHANNEL_KINDS[kind as ChannelKind].label : kind;
}

/** The channel kinds' names as a list, e.g. "Email, Webhook, Slack or Microsoft Teams". */
export function channelKindNames(): string {
  const labels = keysOf(CHANNEL_KINDS).map((k) => CHANNEL_KINDS[k].label);
  return labels.length < 2
    ? labels.join("")
    : `${labels.slice(0, -1).join(", ")} or ${labels.at(-1)}`;
}

/** The rule events' names as a list, e.g. "New findings, Score drop, …". */
export function ruleEventNames(): string {
  return keysOf(RULE_EVENTS).map((e) => RULE_EVENTS[e].label).join(", ");
}
