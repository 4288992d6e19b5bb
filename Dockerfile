# syntax=docker/dockerfile:1
# The service's image: build stage compiles TypeScript, the web app and better-sqlite3 (from source);
# the runtime stage holds only production dependencies and the build output, and runs as `node`.
#   docker build -t concert-reservation .
#   docker run --rm -p 3000:3000 concert-reservation        # embedded mode (SQLite in the container)
# For MySQL + Redis and several instances behind nginx see docker-compose.yml and docs/RUNBOOK.md.

FROM node:20-bookworm-slim AS build
# Toolchain for node-gyp: better-sqlite3 is compiled here rather than fetched as a prebuilt binary,
# against the headers that ship with this image's Node (no download of headers either).
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
ENV npm_config_build_from_source=true \
    npm_config_nodedir=/usr/local \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
RUN npm run build \
  && npm prune --omit=dev \
  && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
# The embedded mode's default database file lives in ./data; give it to the unprivileged user.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Liveness only: readiness (/ready, which checks MySQL and Redis) is for the load balancer and compose.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node directly (not npm) so SIGTERM reaches the service, which then finishes in-flight requests.
CMD ["node", "dist/src/main.js"]
