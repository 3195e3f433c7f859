/**
 * Shared fixtures of the browser tests: Debian's Chromium driven by
 * playwright-core, one dev stack per test file, axe-core scans, screenshots
 * and the dev mailbox.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { createClient } from "@supabase/supabase-js";
import { startStack } from "../../scripts/dev/stack.ts";
import type { Services } from "../../shared/http/mod.ts";
import { ensureWebBuild } from "../tooling/mod.ts";

/** Debian's Chromium (apt-get install -y chromium); never a downloaded browser. */
export const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** Whether the browser tests can run on this machine. */
export const chromiumAvailable: boolean = (() => {
  // CI runs the browser tests once, against the PostgreSQL server (.ci/run).
  if (Deno.env.get("BROWSER_TESTS") === "off") return false;
  try {
    return Deno.statSync(CHROMIUM_PATH).isFile;
  } catch {
    return false;
  }
})();

/**
 * Prints, once per file, that the browser tests of `file` are skipped and why.
 *
 * @param file the test file's `import.meta.url`
 */
export function announceSkip(file: string): void {
  if (chromiumAvailable) return;
  const name = file.split("/").pop();
  if (Deno.env.get("BROWSER_TESTS") === "off") {
    // deno-lint-ignore no-console
    console.log(`SKIPPED browser tests in ${name}: BROWSER_TESTS=off.`);
    return;
  }
  // deno-lint-ignore no-console
  console.log(
    `SKIPPED browser tests in ${name}: ${CHROMIUM_PATH} not found. Install it with "apt-get install -y chromium" to run them.`,
  );
}

const LAUNCH_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Where screenshots go (gitignored). */
export const SCREENSHOT_DIR = `${REPO_ROOT}test-artifacts/screenshots/`;

/** A running stack and browser for one test file. */
export interface E2e {
  /** Origin of the stack, e.g. http://localhost:41234. */
  url: string;
  demo: { email: string; password: string; orgId: string };
  browser: Browser;
  /** A fresh, isolated browser context (its own storage: one user). */
  newContext(options?: { colorScheme?: "light" | "dark" }): Promise<BrowserContext>;
  /** A page in a fresh context, with page errors collected. */
  newPage(options?: { colorScheme?: "light" | "dark" }): Promise<Page>;
  /** Uncaught errors thrown in any page so far. */
  pageErrors: string[];
  /** The stack's services (database, config…), for setting up what the UI cannot. */
  services: Services;
  close(): Promise<void>;
}

/**
 * Builds the web app if its sources changed, starts a stack with a throwaway
 * database on a free port, and launches Chromium (Playwright gives it a
 * temporary user-data-dir, removed on close).
 *
 * @param options extra stack options (e.g. `requireEmailConfirmation`)
 */
export async function startE2e(options: { requireEmailConfirmation?: boolean } = {}): Promise<E2e> {
  await ensureWebBuild({ quiet: true });
  const stack = await startStack({ port: 0, fresh: true, quiet: true, ...options });
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: LAUNCH_ARGS,
    });
  } catch (error) {
    await stack.stop();
    throw error;
  }
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  async function newContext(
    opts: { colorScheme?: "light" | "dark" } = {},
  ): Promise<BrowserContext> {
    const context = await browser.newContext({
      baseURL: stack.url,
      colorScheme: opts.colorScheme ?? "light",
      viewport: { width: 1280, height: 800 },
      reducedMotion: "reduce",
    });
    context.setDefaultTimeout(20_000);
    context.on("page", (page) => page.on("pageerror", (error) => pageErrors.push(error.message)));
    contexts.push(context);
    return context;
  }
  return {
    url: stack.url,
    demo: stack.demo,
    browser,
    newContext,
    async newPage(opts) {
      return await (await newContext(opts)).newPage();
    },
    pageErrors,
    services: stack.services,
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close().catch(() => {});
      await stack.stop();
    },
  };
}

const require = createRequire(import.meta.url);
const AXE_PATH: string = require.resolve("axe-core/axe.min.js");

/** One accessibility violation, as axe reports it. */
export interface A11yViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules) in the page and returns the serious
 * and critical violations.
 *
 * @param page the page to scan, once it has rendered
 */
export async function seriousA11yViolations(page: Page): Promise<A11yViolation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const axe = (globalThis as any).axe;
    const result = await axe.run(document, {
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
      },
    });
    // deno-lint-ignore no-explicit-any
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      // deno-lint-ignore no-explicit-any
      targets: v.nodes.slice(0, 5).map((n: any) =>
        `${n.target.join(" ")} — ${n.failureSummary ?? ""}`
      ),
    }));
  }) as A11yViolation[];
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Formats violations for an assertion message. */
export function describeViolations(violations: A11yViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.targets.join("\n    ")}`)
    .join("\n");
}

/**
 * Waits for the fonts, saves a screenshot named `name`, and fails on any serious
 * or critical axe violation, listing them.
 *
 * @param page the page, in the state to check
 * @param name the screenshot's name, also used in the failure message
 */
export async function assertAccessible(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await screenshot(page, name);
  const violations = await seriousA11yViolations(page);
  if (violations.length > 0) {
    throw new Error(`${name} has accessibility violations:\n${describeViolations(violations)}`);
  }
}

/**
 * Saves a full-page screenshot to `test-artifacts/screenshots/<name>.png`.
 *
 * @param page the page
 * @param name file name without extension, e.g. "team-light"
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({
    path: `${SCREENSHOT_DIR}${name}.png`,
    fullPage: true,
    animations: "disabled",
    // Long pages (a list of findings) take a while on a busy 2-core machine.
    timeout: 60_000,
  });
}

/** A message in the dev mailbox. */
export interface MailboxMessage {
  id: string;
  to: string;
  subject: string;
  link: string;
  type: string;
  created_at: string;
}

/**
 * The newest dev-mailbox message of `type` sent to `email`, waiting briefly for it.
 *
 * @param url the stack's origin
 * @param email the recipient
 * @param type "signup" or "recovery"
 * @throws {Error} when no such message arrives
 */
export async function latestMail(
  url: string,
  email: string,
  type: string,
): Promise<MailboxMessage> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const response = await fetch(`${url}/auth/v1/_dev/mailbox?to=${encodeURIComponent(email)}`);
    if (!response.ok) {
      throw new Error(`Cannot read the dev mailbox: it answered ${response.status}`);
    }
    const { messages } = await response.json() as { messages: MailboxMessage[] };
    const message = messages.find((m) => m.type === type);
    if (message) return message;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Cannot find a "${type}" email for ${email} in the dev mailbox`);
}

/** A unique email address for a test user. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}.${crypto.randomUUID().slice(0, 8)}@example.test`;
}

/**
 * Waits until `/app` has led to its start page (a page under `/app/`, whose
 * heading has rendered) and returns that heading. Which page it is follows the
 * `start` entries of the route registry (web/README.md, "The start page"), so
 * tests assert it by name instead of waiting for a path.
 *
 * @param page a page that is on its way into the app
 */
export async function waitForStartPage(page: Page): Promise<string> {
  await page.waitForURL(/\/app\/[^?#]/);
  const heading = page.locator("#main h1").first();
  await heading.waitFor();
  return (await heading.textContent())?.trim() ?? "";
}

/**
 * Opens a page of the app from the sidebar and waits for its heading.
 *
 * @param page a signed-in page
 * @param label the sidebar entry, which is also the page's heading, e.g. "Team"
 */
export async function openFromSidebar(page: Page, label: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", {
    name: label,
    exact: true,
  })
    .click();
  await page.getByRole("heading", { level: 1, name: label, exact: true }).waitFor();
}

/**
 * Signs a user in through the login form and waits for the app's start page.
 *
 * @param page a page in the user's context
 * @param email the user's email
 * @param password the user's password
 * @returns the start page's heading (see {@linkcode waitForStartPage})
 */
export async function signIn(page: Page, email: string, password: string): Promise<string> {
  await page.goto("/login");
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  return await waitForStartPage(page);
}

/**
 * Signs up a new account that joins `orgId` through an invitation, as a person
 * would: the owner invites, the link's secret comes from the dev mailbox, the
 * new account accepts it.
 *
 * @param url the stack's URL
 * @param ownerToken an access token of an admin or owner of the organization
 * @param orgId the organization
 * @param role the role to invite with
 * @returns the new account's email and password
 */
export async function joinByInvitation(
  url: string,
  ownerToken: string,
  orgId: string,
  role: "viewer" | "auditor" | "analyst" | "admin" = "viewer",
): Promise<[email: string, password: string]> {
  const email = uniqueEmail(role);
  const password = "Quiet-harbor-lantern-77";
  const config = await (await fetch(`${url}/app-config.json`)).json() as {
    supabaseAnonKey: string;
  };
  const client = createClient(url, config.supabaseAnonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  const { data, error } = await client.auth.signUp({ email, password });
  if (error || !data.session) throw new Error(`Cannot sign up ${email}: ${error?.message}`);
  const call = async (bearer: string, path: string, body: unknown) => {
    const res = await fetch(`${url}/functions/v1${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
    await res.body?.cancel();
  };
  await call(ownerToken, `/organizations/${orgId}/invitations`, { email, role });
  const token = new URL((await latestMail(url, email, "invite")).link).hash.replace(
    /^#token=/,
    "",
  );
  await call(data.session.access_token, "/organizations/invitations/accept", { token });
  return [email, password];
}
