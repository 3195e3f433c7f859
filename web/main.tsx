/**
 * Browser entry: loads `/app-config.json`, builds the app services and renders.
 *
 * @module
 */
import { render } from "preact";
import "./styles/app.css";
import { App } from "./app/app.tsx";
import { createAppServices } from "./app/services.ts";
import { readAuthRedirect } from "./features/auth/session_model.ts";
import { loadAppConfig } from "./lib/config.ts";
import { browserStore } from "./lib/storage.ts";

const root = document.getElementById("app")!;

function renderStartupError(message: string): void {
  root.innerHTML = "";
  const box = document.createElement("main");
  box.className = "mx-auto flex min-h-screen max-w-md flex-col justify-center gap-3 px-6";
  const title = document.createElement("h1");
  title.className = "text-xl font-semibold";
  title.textContent = "ComplianceIQ could not start";
  const text = document.createElement("p");
  text.className = "text-sm text-fg-muted";
  text.textContent =
    `${message}. Reload the page; if this keeps happening, contact your administrator.`;
  box.append(title, text);
  root.append(box);
}

async function start(): Promise<void> {
  // Read the email link's fragment before supabase-js consumes it.
  const redirect = readAuthRedirect(location.href);
  const config = await loadAppConfig(location.origin);
  const services = createAppServices({
    config,
    origin: location.origin,
    store: browserStore(),
    redirect,
    darkQuery: matchMedia("(prefers-color-scheme: dark)"),
    applyTheme: (theme) => document.documentElement.classList.toggle("dark", theme === "dark"),
  });
  render(<App services={services} />, root);
}

start().catch((error: unknown) => {
  renderStartupError(error instanceof Error ? error.message : "Unexpected error");
  throw error;
});
