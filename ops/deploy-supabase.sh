#!/usr/bin/env bash
# Deploys ComplianceIQ to a Supabase project (hosted mode), end to end:
# migrations, secrets, every edge function, then the web app's build.
#
#   SUPABASE_PROJECT_REF=abcd1234 ops/deploy-supabase.sh path/to/production.env
#
# The env file holds the functions' secrets (docs/operations.md lists them);
# it is sent with `supabase secrets set` and never committed. Needs the Supabase
# CLI, logged in (`supabase login`) or with SUPABASE_ACCESS_TOKEN set.
set -euo pipefail
cd "$(dirname "$0")/.."

env_file="${1:?usage: SUPABASE_PROJECT_REF=<ref> ops/deploy-supabase.sh <env file>}"
ref="${SUPABASE_PROJECT_REF:?set SUPABASE_PROJECT_REF to the project reference id}"
[ -f "$env_file" ] || { echo "no such env file: $env_file" >&2; exit 1; }
command -v supabase >/dev/null || { echo "the Supabase CLI is not installed (npm i -g supabase)" >&2; exit 1; }

required=(SUPABASE_DB_URL CREDENTIALS_KEYS QSTASH_TOKEN QSTASH_CURRENT_SIGNING_KEY
  QSTASH_NEXT_SIGNING_KEY UPSTASH_REDIS_REST_URL UPSTASH_REDIS_REST_TOKEN METRICS_TOKEN PUBLIC_URL
  DB_PREPARE)
for name in "${required[@]}"; do
  grep -q "^${name}=." "$env_file" || { echo "$env_file does not set $name" >&2; exit 1; }
done

echo "== linking project $ref"
supabase link --project-ref "$ref"
echo "== migrations (forward-only)"
supabase db push
echo "== secrets"
supabase secrets set --env-file "$env_file"
echo "== functions"
for entry in functions/*/index.ts; do
  name="$(basename "$(dirname "$entry")")"
  grep -q "^\[functions\.${name}\]" supabase/config.toml \
    || { echo "supabase/config.toml has no [functions.${name}]" >&2; exit 1; }
  supabase functions deploy "$name" --project-ref "$ref" --no-verify-jwt --import-map import_map.json
done
echo "== web app"
deno task web:build
echo "Upload web/dist/ to your static host and serve /app-config.json with"
echo '{"supabaseUrl":"https://'"$ref"'.supabase.co","supabaseAnonKey":"<anon key>","functionsUrl":"https://'"$ref"'.supabase.co/functions/v1"}'
echo "The tasks function creates its QStash schedules (the stale-job reaper) on its first start."
