import type { JSX } from "preact";
import {
  ArrowRight,
  ChartNoAxesCombined,
  FileSpreadsheet,
  GitCompareArrows,
  KeyRound,
  Lock,
  RefreshCw,
  ShieldCheck,
  UsersRound,
} from "lucide";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Icon } from "../../components/icon.tsx";
import { Logo } from "../../components/logo.tsx";
import { ProgressBar } from "../../components/progress_bar.tsx";
import { useApp } from "../../app/services.ts";
import { ThemeToggle } from "../../app/theme_toggle.tsx";

const FEATURES = [
  {
    icon: RefreshCw,
    title: "Continuous sync",
    text:
      "A careful, read-only connector keeps a copy of the security-relevant tables of each ServiceNow instance up to date.",
  },
  {
    icon: ShieldCheck,
    title: "A catalog of checks",
    text:
      "Dormant admins, segregation-of-duties conflicts, risky ACLs, unreviewed changes: each check explains why it matters and how to fix it.",
  },
  {
    icon: GitCompareArrows,
    title: "Run-to-run comparison",
    text:
      "See what got better, what regressed and what is new since the last run, with trends over months.",
  },
  {
    icon: FileSpreadsheet,
    title: "Evidence auditors accept",
    text:
      "Every finding keeps the offending records. Export PDF, CSV or Excel reports mapped to the control you are testing.",
  },
  {
    icon: UsersRound,
    title: "Built for teams",
    text:
      "Owners, admins, analysts, auditors and viewers each see and do exactly what their role allows.",
  },
  {
    icon: ChartNoAxesCombined,
    title: "Dashboards and widgets",
    text:
      "Posture at a glance for leadership, and embeddable widgets for the places your teams already look.",
  },
];

const FRAMEWORKS = ["SOX ITGC", "SOC 2", "ISO 27001", "NIST 800-53"];

/** `/`: what ComplianceIQ does, for platform owners, security teams and auditors. */
export function LandingPage(): JSX.Element {
  const { session } = useApp();
  const signedIn = session.status.value === "signed_in";
  return (
    <div class="min-h-screen bg-canvas">
      <header class="border-b border-line bg-surface/80 backdrop-blur">
        <div class="mx-auto flex h-16 max-w-6xl items-center gap-4 px-4 sm:px-6">
          <a href="/" class="rounded-md" aria-label="ComplianceIQ home">
            <Logo />
          </a>
          <nav aria-label="Account" class="ml-auto flex items-center gap-2">
            <ThemeToggle />
            {signedIn ? <Button href="/app">Open ComplianceIQ</Button> : (
              <>
                <Button variant="ghost" href="/login">Sign in</Button>
                <Button href="/signup">Get started</Button>
              </>
            )}
          </nav>
        </div>
      </header>
      <main id="main" tabIndex={-1} class="focus:outline-none">
        <section class="mx-auto grid max-w-6xl items-center gap-12 px-4 py-16 sm:px-6 lg:grid-cols-2 lg:py-24">
          <div class="space-y-6">
            <Badge tone="brand">For ServiceNow platform owners and security teams</Badge>
            <h1 class="text-4xl font-semibold leading-tight tracking-tight text-fg sm:text-5xl">
              Know your ServiceNow instances pass audit — before the auditors ask.
            </h1>
            <p class="max-w-xl text-lg text-fg-muted">
              ComplianceIQ syncs the security data of your ServiceNow instances, runs a catalog of
              compliance checks over it every day, and turns the results into evidence mapped to the
              frameworks you answer to.
            </p>
            <div class="flex flex-wrap gap-3">
              <Button href={signedIn ? "/app" : "/signup"} size="lg" icon={ArrowRight}>
                {signedIn ? "Open ComplianceIQ" : "Start free"}
              </Button>
              {!signedIn && <Button href="/login" size="lg" variant="secondary">Sign in</Button>}
            </div>
            <ul class="flex flex-wrap gap-2" aria-label="Frameworks covered">
              {FRAMEWORKS.map((framework) => (
                <li key={framework}>
                  <Badge tone="neutral">{framework}</Badge>
                </li>
              ))}
            </ul>
          </div>
          <ProductPreview />
        </section>

        <section aria-labelledby="features" class="border-y border-line bg-surface">
          <div class="mx-auto max-w-6xl px-4 py-16 sm:px-6">
            <h2 id="features" class="text-2xl font-semibold tracking-tight text-fg">
              From raw ServiceNow tables to audit-ready findings
            </h2>
            <p class="mt-2 max-w-2xl text-fg-muted">
              Stop exporting user lists to spreadsheets every quarter. ComplianceIQ does the
              checking continuously.
            </p>
            <div class="mt-10 grid gap-6 sm:grid-cols-2 lg:grid-cols-3">
              {FEATURES.map((feature) => (
                <div key={feature.title} class="rounded-lg border border-line bg-canvas p-5">
                  <div class="flex size-9 items-center justify-center rounded-md bg-accent-soft text-accent-text">
                    <Icon icon={feature.icon} class="size-5" />
                  </div>
                  <h3 class="mt-4 font-semibold text-fg">{feature.title}</h3>
                  <p class="mt-1.5 text-sm text-fg-muted">{feature.text}</p>
                </div>
              ))}
            </div>
          </div>
        </section>

        <section aria-labelledby="security" class="mx-auto max-w-6xl px-4 py-16 sm:px-6">
          <div class="grid gap-10 lg:grid-cols-2">
            <div>
              <h2 id="security" class="text-2xl font-semibold tracking-tight text-fg">
                Secure by construction
              </h2>
              <p class="mt-2 text-fg-muted">
                A compliance tool has to pass its own audit. Yours will.
              </p>
            </div>
            <ul class="space-y-4">
              {[
                {
                  icon: Lock,
                  text:
                    "Tenant isolation enforced by the database itself (row-level security), not only by application code.",
                },
                {
                  icon: KeyRound,
                  text:
                    "ServiceNow credentials encrypted at rest with AES-256-GCM and never sent back to any browser.",
                },
                {
                  icon: ShieldCheck,
                  text: "An append-only audit log of every change made in your organization.",
                },
              ].map((item) => (
                <li key={item.text} class="flex gap-3 text-sm text-fg">
                  <Icon icon={item.icon} class="mt-0.5 size-5 text-accent-text" />
                  <span>{item.text}</span>
                </li>
              ))}
            </ul>
          </div>
        </section>

        <section class="mx-auto max-w-6xl px-4 pb-20 sm:px-6">
          <div class="flex flex-col items-start justify-between gap-6 rounded-xl bg-brand-950 px-8 py-10 text-white sm:flex-row sm:items-center">
            <div>
              <h2 class="text-2xl font-semibold tracking-tight">Get your first findings today</h2>
              <p class="mt-1 text-brand-100">
                Create your organization, invite your team, connect an instance.
              </p>
            </div>
            <a
              href={signedIn ? "/app" : "/signup"}
              class="inline-flex h-11 items-center gap-2 rounded-md bg-white px-5 font-medium text-brand-900 hover:bg-brand-50"
            >
              {signedIn ? "Open ComplianceIQ" : "Create your account"} <Icon icon={ArrowRight} />
            </a>
          </div>
        </section>
      </main>
      <footer class="border-t border-line">
        <div class="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-4 px-4 py-6 text-sm text-fg-muted sm:px-6">
          <Logo class="opacity-90" />
          <p>
            © {new Date().getFullYear()} ComplianceIQ. Built for ServiceNow security and compliance.
          </p>
        </div>
      </footer>
    </div>
  );
}

/** A still picture of the product (not live data), so visitors see what they get. */
function ProductPreview(): JSX.Element {
  const findings = [
    {
      title: "Admin accounts without login for 90+ days",
      severity: "High",
      tone: "danger" as const,
      count: 7,
    },
    {
      title: "Users holding both approver and requester roles",
      severity: "Medium",
      tone: "warning" as const,
      count: 12,
    },
    {
      title: "Change requests closed without approval",
      severity: "High",
      tone: "danger" as const,
      count: 3,
    },
  ];
  return (
    <figure
      class="rounded-xl border border-line bg-surface p-5 shadow-xl"
      aria-label="Example of a ComplianceIQ posture summary"
    >
      <div class="flex items-center justify-between">
        <div>
          <p class="text-xs font-medium uppercase tracking-wide text-fg-muted">
            prod.service-now.com
          </p>
          <p class="mt-1 text-lg font-semibold text-fg">SOX ITGC posture</p>
        </div>
        <Badge tone="success">Synced 4 min ago</Badge>
      </div>
      <div class="mt-5 grid grid-cols-3 gap-3">
        {[["Controls passing", "86%"], ["Open findings", "22"], ["Fixed this month", "41"]].map((
          [label, value],
        ) => (
          <div key={label} class="rounded-lg bg-surface-muted p-3">
            <p class="text-xs text-fg-muted">{label}</p>
            <p class="mt-1 text-xl font-semibold tabular-nums text-fg">{value}</p>
          </div>
        ))}
      </div>
      <ProgressBar
        class="mt-5"
        label="Checks passing"
        value={86}
        valueText="86 of 100"
        tone="success"
      />
      <ul class="mt-5 divide-y divide-line rounded-lg border border-line">
        {findings.map((finding) => (
          <li key={finding.title} class="flex items-center gap-3 px-3 py-2.5 text-sm">
            <Badge tone={finding.tone}>{finding.severity}</Badge>
            <span class="flex-1 truncate text-fg">{finding.title}</span>
            <span class="tabular-nums text-fg-muted">{finding.count}</span>
          </li>
        ))}
      </ul>
      <figcaption class="sr-only">Illustration with example figures</figcaption>
    </figure>
  );
}
