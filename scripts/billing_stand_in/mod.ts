// The dev billing stand-in: the part of Stripe's API the billing function
// calls (prices, customers, Checkout and portal sessions, subscriptions,
// invoices), a checkout page that completes a purchase, and a portal page —
// both send correctly signed webhook events (Stripe's own signing helper) to
// the billing function's webhook endpoint. `deno task dev` starts it when no
// STRIPE_SECRET_KEY is configured. State lives in memory.
import Stripe from "stripe";

/** Options of {@linkcode startBillingStandIn}. */
export interface BillingStandInOptions {
  /** Where events are sent: the billing function's `/webhooks/stripe`. */
  webhookUrl: string;
  /** The signing secret the billing function verifies with. */
  webhookSecret: string;
  /** Port; 0 picks a free one. */
  port?: number;
}

/** A running stand-in. */
export interface BillingStandIn {
  /** Its base URL, e.g. `http://127.0.0.1:54123` (STRIPE_API_BASE). */
  url: string;
  /** Environment for the functions: key, webhook secret and API base. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const PRICES: Record<string, number> = {
  ciq_basic_monthly: 19900,
  ciq_professional_monthly: 79900,
  ciq_enterprise_monthly: 249900,
};

interface Session {
  id: string;
  customer: string;
  price: string;
  metadata: Record<string, string>;
  client_reference_id: string | null;
  success_url: string;
  cancel_url: string;
  status: "open" | "complete";
}

interface Sub {
  id: string;
  customer: string;
  price: string;
  status: string;
  metadata: Record<string, string>;
}

interface Invoice {
  id: string;
  customer: string;
  amount: number;
  created: number;
  number: string;
}

const id = (prefix: string) =>
  `${prefix}_dev${crypto.randomUUID().replaceAll("-", "").slice(0, 18)}`;
const now = () => Math.floor(Date.now() / 1000);

function nested(form: URLSearchParams, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of form) {
    const match = key.match(new RegExp(`^${prefix.replace(/[[\]]/g, "\\$&")}\\[([^\\]]+)\\]$`));
    if (match) out[match[1]!] = value;
  }
  return out;
}

function page(title: string, body: string): Response {
  return new Response(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#111}
button{font:inherit;padding:.6rem 1rem;border-radius:.4rem;border:1px solid #334;background:#1d4ed8;color:#fff;cursor:pointer}
.secondary{background:#fff;color:#111}p.note{color:#444}</style></head>
<body><main>${body}</main></body></html>`,
    { headers: { "content-type": "text/html; charset=utf-8" } },
  );
}

/**
 * Starts the stand-in on its own port.
 *
 * @param options where to send events and with which secret
 */
export function startBillingStandIn(options: BillingStandInOptions): BillingStandIn {
  const stripe = new Stripe("sk_test_dev_stand_in", {
    httpClient: Stripe.createFetchHttpClient(),
  });
  const customers = new Map<string, { id: string; metadata: Record<string, string> }>();
  const sessions = new Map<string, Session>();
  const subs = new Map<string, Sub>();
  const invoices: Invoice[] = [];
  let base = "";

  const subObject = (sub: Sub) => ({
    id: sub.id,
    object: "subscription",
    status: sub.status,
    customer: sub.customer,
    metadata: sub.metadata,
    items: {
      object: "list",
      data: [{
        id: `si_${sub.id}`,
        object: "subscription_item",
        price: { id: `price_${sub.price}`, object: "price", lookup_key: sub.price },
      }],
    },
  });

  async function send(type: string, object: unknown) {
    const payload = JSON.stringify({
      id: id("evt"),
      object: "event",
      type,
      created: now(),
      livemode: false,
      data: { object },
    });
    const signature = await stripe.webhooks.generateTestHeaderStringAsync({
      payload,
      secret: options.webhookSecret,
    });
    const res = await fetch(options.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": signature },
      body: payload,
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`the webhook endpoint answered ${res.status} to ${type}`);
  }

  function invoiceFor(sub: Sub) {
    invoices.unshift({
      id: id("in"),
      customer: sub.customer,
      amount: PRICES[sub.price] ?? 0,
      created: now(),
      number: `DEV-${String(invoices.length + 1).padStart(4, "0")}`,
    });
  }

  async function api(req: Request, url: URL): Promise<Response> {
    const form = new URLSearchParams(req.method === "GET" ? url.search : await req.text());
    const route = `${req.method} ${url.pathname}`;
    const subMatch = url.pathname.match(/^\/v1\/subscriptions\/([\w]+)$/);
    if (route === "GET /v1/prices") {
      const key = form.get("lookup_keys[0]") ?? "";
      const data = key in PRICES
        ? [{ id: `price_${key}`, object: "price", lookup_key: key, unit_amount: PRICES[key] }]
        : [];
      return Response.json({ object: "list", data, has_more: false });
    }
    if (route === "POST /v1/customers") {
      const customer = { id: id("cus"), object: "customer", metadata: nested(form, "metadata") };
      customers.set(customer.id, customer);
      return Response.json(customer);
    }
    if (route === "POST /v1/checkout/sessions") {
      const session: Session = {
        id: id("cs"),
        customer: form.get("customer") ?? id("cus"),
        price: (form.get("line_items[0][price]") ?? "").replace(/^price_/, ""),
        metadata: nested(form, "metadata"),
        client_reference_id: form.get("client_reference_id"),
        success_url: form.get("success_url") ?? "/",
        cancel_url: form.get("cancel_url") ?? "/",
        status: "open",
      };
      sessions.set(session.id, session);
      return Response.json({
        id: session.id,
        object: "checkout.session",
        url: `${base}/checkout/${session.id}`,
      });
    }
    if (route === "POST /v1/billing_portal/sessions") {
      const customer = form.get("customer") ?? "";
      const back = encodeURIComponent(form.get("return_url") ?? "/");
      return Response.json({
        id: id("bps"),
        object: "billing_portal.session",
        url: `${base}/portal/${customer}?return=${back}`,
      });
    }
    if (route === "GET /v1/invoices") {
      const customer = form.get("customer");
      return Response.json({
        object: "list",
        has_more: false,
        data: invoices.filter((i) => i.customer === customer).map((i) => ({
          id: i.id,
          object: "invoice",
          number: i.number,
          status: "paid",
          amount_due: i.amount,
          amount_paid: i.amount,
          currency: "usd",
          created: i.created,
          hosted_invoice_url: null,
          invoice_pdf: null,
        })),
      });
    }
    if (subMatch) {
      const sub = subs.get(subMatch[1]!);
      if (!sub) return notFound();
      if (req.method === "POST") {
        const price = form.get("items[0][price]");
        if (price) sub.price = price.replace(/^price_/, "");
        Object.assign(sub.metadata, nested(form, "metadata"));
        invoiceFor(sub);
        queueMicrotask(() => send("customer.subscription.updated", subObject(sub)).catch(() => {}));
      }
      return Response.json(subObject(sub));
    }
    return notFound();
  }

  const notFound = () =>
    Response.json({
      error: { type: "invalid_request_error", message: "The dev stand-in does not know this" },
    }, { status: 404 });

  async function checkout(req: Request, sessionId: string): Promise<Response> {
    const session = sessions.get(sessionId);
    if (!session) return page("Not found", "<h1>This checkout has expired</h1>");
    if (req.method === "POST") {
      if (session.status === "open") {
        session.status = "complete";
        const sub: Sub = {
          id: id("sub"),
          customer: session.customer,
          price: session.price,
          status: "active",
          metadata: { ...session.metadata },
        };
        subs.set(sub.id, sub);
        invoiceFor(sub);
        await send("checkout.session.completed", {
          id: session.id,
          object: "checkout.session",
          customer: session.customer,
          subscription: sub.id,
          client_reference_id: session.client_reference_id,
          payment_status: "paid",
          metadata: session.metadata,
        });
        await send("customer.subscription.created", subObject(sub));
      }
      return Response.redirect(session.success_url, 303);
    }
    const amount = ((PRICES[session.price] ?? 0) / 100).toFixed(2);
    const plan = session.metadata.plan ?? session.price;
    return page(
      "Checkout (dev stand-in)",
      `<h1>Subscribe to ${plan}</h1>
<p>$${amount} per month. This is the local billing stand-in: no card is charged.</p>
<form method="post"><button type="submit">Pay and subscribe</button></form>
<p class="note"><a href="${session.cancel_url}">Cancel and go back</a></p>`,
    );
  }

  async function portal(req: Request, url: URL, customer: string): Promise<Response> {
    const back = url.searchParams.get("return") ?? "/";
    const active = [...subs.values()].find((s) =>
      s.customer === customer && s.status !== "canceled"
    );
    if (req.method === "POST" && active) {
      const action = (await req.formData()).get("action");
      if (action === "cancel") {
        active.status = "canceled";
        await send("customer.subscription.deleted", subObject(active));
      } else if (action === "fail_payment") {
        active.status = "past_due";
        await send("customer.subscription.updated", subObject(active));
      } else if (action === "pay") {
        active.status = "active";
        await send("customer.subscription.updated", subObject(active));
      }
      return Response.redirect(back, 303);
    }
    return page(
      "Billing portal (dev stand-in)",
      `<h1>Billing portal</h1>
${
        active
          ? `<p>Subscription: ${active.price} (${active.status})</p>
<form method="post"><input type="hidden" name="action" value="fail_payment"><button class="secondary">Simulate a failed payment</button></form><br>
<form method="post"><input type="hidden" name="action" value="pay"><button class="secondary">Pay what is due</button></form><br>
<form method="post"><input type="hidden" name="action" value="cancel"><button>Cancel subscription</button></form>`
          : "<p>No active subscription.</p>"
      }
<p><a href="${back}">Back to ComplianceIQ</a></p>`,
    );
  }

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: options.port ?? 0, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      try {
        if (url.pathname.startsWith("/v1/")) return await api(req, url);
        const co = url.pathname.match(/^\/checkout\/([\w]+)$/);
        if (co) return await checkout(req, co[1]!);
        const po = url.pathname.match(/^\/portal\/([\w]+)$/);
        if (po) return await portal(req, url, po[1]!);
        return notFound();
      } catch (error) {
        return page("Error", `<h1>The stand-in failed</h1><p>${String(error)}</p>`);
      }
    },
  );
  base = `http://127.0.0.1:${server.addr.port}`;
  return {
    url: base,
    env: {
      STRIPE_SECRET_KEY: "sk_test_dev_stand_in",
      STRIPE_WEBHOOK_SECRET: options.webhookSecret,
      STRIPE_API_BASE: base,
    },
    stop: () => server.shutdown(),
  };
}
