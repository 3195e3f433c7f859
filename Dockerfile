# ComplianceIQ, self-hosted: every function and the web app on one port
# (scripts/serve/main.ts). The same image runs one function alone
# (`run <flags> functions/<name>/index.ts`), the QStash-compatible scheduler
# (scripts/serve/qstash_main.ts), the Redis REST front end
# (scripts/serve/redis_rest_main.ts) and the migrations (`task db:migrate`).
# See docs/operations.md.
FROM denoland/deno:2.9.6

WORKDIR /app
ENV DENO_DIR=/deno-dir NO_COLOR=1 PORT=8000
COPY deno.json deno.lock import_map.json ./
COPY . .
RUN deno install --allow-scripts \
  && deno task web:build \
  && deno cache scripts/serve/main.ts scripts/serve/qstash_main.ts scripts/serve/redis_rest_main.ts \
    scripts/migrate.ts functions/*/index.ts \
  && chown -R deno:deno /deno-dir

# Never root at run time.
USER deno
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["deno", "eval", "const r = await fetch(`http://127.0.0.1:${Deno.env.get('PORT') ?? '8000'}/functions/v1/organizations/ready`); Deno.exit(r.ok ? 0 : 1)"]
CMD ["run", "--allow-net", "--allow-env", "--allow-read", "--allow-sys", "--allow-write=/tmp", "scripts/serve/main.ts"]
