# One image recipe for every service; `--build-arg SERVICE=order|payment|inventory|notification`
# picks which one the image runs. docker-compose.yml builds it once per service.
#
#   docker build --build-arg SERVICE=order -t saga-order .
#
# The build stage runs the same steps as CI (.ci/run: `npm ci`, then `npm run build`), so a build that
# breaks here breaks in CI first. infra/scripts/docker-compose.spec.ts keeps the two in line.

# ---- build: every dependency, then the four webpack bundles in dist/apps/<service>/main.js ----------
FROM node:20-bookworm-slim AS build
WORKDIR /app
# The lock file (and the patches npm ci applies to dependencies) alone first, so source edits do not
# reinstall the dependencies.
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
# nest-cli.json, tsconfig*.json, apps/ and libs/ are what `nest build` reads (.dockerignore keeps them).
COPY . .
RUN npm run build

# ---- runtime: production dependencies and the bundles only, as the unprivileged `node` user ---------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# The bundles keep node_modules external (Nest's webpack default), so the runtime needs them installed.
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist

# Declared after the installs, so the images of every service share the layers above.
ARG SERVICE
RUN case "$SERVICE" in order|payment|inventory|notification) ;; \
      *) echo "build with --build-arg SERVICE=order|payment|inventory|notification (got '$SERVICE')" >&2; exit 1 ;; \
    esac && test -f "dist/apps/$SERVICE/main.js"
ENV SERVICE=${SERVICE}
# Inside a container the service must listen on every interface, not only on loopback.
ENV HOST=0.0.0.0

USER node

# Ready = database, Kafka, outbox relay and consumer up. PORT falls back to the service's default port
# (DEFAULT_PORTS in libs/platform/src/config/service-config.ts; the unit test checks they match).
HEALTHCHECK --interval=5s --timeout=5s --start-period=60s --retries=12 \
  CMD ["node", "-e", "const port = process.env.PORT || { order: 3001, payment: 3002, inventory: 3003, notification: 3004 }[process.env.SERVICE]; fetch('http://127.0.0.1:' + port + '/health/ready').then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(1));"]

# `exec` makes node PID 1, so `docker stop`'s SIGTERM reaches Nest's shutdown hooks (offsets committed).
CMD ["/bin/sh", "-c", "exec node dist/apps/$SERVICE/main.js"]
