import type { ComponentChildren, JSX } from "preact";
import { FileCheck, ShieldCheck, Workflow } from "lucide";
import { Icon } from "../../components/icon.tsx";
import { Logo } from "../../components/logo.tsx";

const POINTS = [
  {
    icon: ShieldCheck,
    text: "Continuous checks of ServiceNow access, configuration and change controls.",
  },
  {
    icon: FileCheck,
    text: "Findings mapped to SOX ITGC, SOC 2, ISO 27001 and NIST 800-53, with evidence.",
  },
  {
    icon: Workflow,
    text: "Read-only by design: credentials are encrypted and never leave the server.",
  },
];

/**
 * The frame of the sign-in pages: a calm brand panel on wide screens and a
 * focused form column.
 *
 * @example
 * <AuthLayout title="Sign in" subtitle="Welcome back">…form…</AuthLayout>
 */
export function AuthLayout(
  { title, subtitle, children, footer }: {
    title: string;
    subtitle?: ComponentChildren;
    children: ComponentChildren;
    footer?: ComponentChildren;
  },
): JSX.Element {
  return (
    <div class="grid min-h-screen lg:grid-cols-[minmax(0,5fr)_minmax(0,6fr)]">
      <aside class="relative hidden overflow-hidden bg-brand-950 text-white lg:flex lg:flex-col lg:justify-between lg:p-12">
        <div
          class="pointer-events-none absolute inset-0 opacity-40"
          style={{
            backgroundImage:
              "radial-gradient(circle at 20% 20%, rgba(89,150,253,.35), transparent 45%), radial-gradient(circle at 80% 70%, rgba(29,85,235,.45), transparent 50%)",
          }}
          aria-hidden="true"
        />
        <a
          href="/"
          class="relative inline-flex rounded-md text-white [&_*]:text-white"
          aria-label="ComplianceIQ home"
        >
          <Logo />
        </a>
        <div class="relative max-w-md space-y-8">
          <p class="text-2xl font-semibold leading-snug tracking-tight">
            Audit-ready evidence for your ServiceNow platform, every day — not once a year.
          </p>
          <ul class="space-y-4">
            {POINTS.map((point) => (
              <li key={point.text} class="flex gap-3 text-sm text-brand-100">
                <Icon icon={point.icon} class="mt-0.5 size-5 text-brand-300" />
                <span>{point.text}</span>
              </li>
            ))}
          </ul>
        </div>
        <p class="relative text-xs text-brand-200">
          Trusted by platform owners, security teams and their auditors.
        </p>
      </aside>
      <main id="main" tabIndex={-1} class="flex flex-col px-4 py-8 focus:outline-none sm:px-8">
        <div class="lg:hidden">
          <a href="/" class="inline-flex rounded-md" aria-label="ComplianceIQ home">
            <Logo />
          </a>
        </div>
        <div class="mx-auto flex w-full max-w-sm flex-1 flex-col justify-center py-10">
          <h1 class="text-2xl font-semibold tracking-tight text-fg">{title}</h1>
          {subtitle && <p class="mt-2 text-sm text-fg-muted">{subtitle}</p>}
          <div class="mt-8">{children}</div>
          {footer && <div class="mt-8 text-sm text-fg-muted">{footer}</div>}
        </div>
      </main>
    </div>
  );
}
