import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { typedClient } from "../../lib/typed_client.ts";
import { useApp } from "../../app/services.ts";
import { billingBanner, type BillingOverview } from "./billing_model.ts";

/** Fired on `window` when the billing state may have changed (after a checkout). */
export const BILLING_CHANGED = "ciq:billing-changed";

/**
 * The app shell's billing banner: trial ending or over, payment past due,
 * subscription ended. Quiet when all is well or the state cannot be read.
 */
export function BillingBanner(): JSX.Element | null {
  const { api, orgs } = useApp();
  const orgId = orgs.current.value?.id;
  const [billing, setBilling] = useState<BillingOverview | null>(null);

  useEffect(() => {
    if (!orgId) return;
    let live = true;
    const load = () =>
      typedClient(api)("GET /billing/:orgId", { params: { orgId } }).then(
        (res) => live && setBilling(res.data),
        () => live && setBilling(null),
      );
    void load();
    globalThis.addEventListener(BILLING_CHANGED, load);
    return () => {
      live = false;
      globalThis.removeEventListener(BILLING_CHANGED, load);
    };
  }, [api, orgId]);

  const banner = billing ? billingBanner(billing) : null;
  if (!banner) return null;
  const onBilling = globalThis.location?.pathname === "/app/billing";
  return (
    <div class="mb-4" data-testid="billing-banner">
      <Alert tone={banner.tone} title={banner.title}>
        <div class="flex flex-wrap items-center justify-between gap-2">
          <span>{banner.message}</span>
          {!onBilling && <Button size="sm" variant="secondary" href="/app/billing">Billing</Button>}
        </div>
      </Alert>
    </div>
  );
}
