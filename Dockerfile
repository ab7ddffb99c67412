# sync-webhook: Radarr/Sonarr webhook receiver that copies new media between NAS shares with rsync.
#
#   docker build -t sync-webhook .
#   docker compose -f docker-compose.example.yml up -d
#
# Build stage: compiles TypeScript and the dashboard page (web/ → dist/web), and, when no prebuilt binary
# fits, better-sqlite3's native addon.
FROM node:20-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY web ./web
RUN npm run build \
 && npm prune --omit=dev

# Runtime stage: Node.js, rsync, the compiled service and its production dependencies. No compiler, no curl.
# tini runs as PID 1 and reaps the processes a killed rsync or mount probe leaves behind (Node does not).
FROM node:20-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends rsync tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# The original service's paths. Outside Docker the defaults are ./data/sync_jobs.db and ./logs.
ENV SYNC_DB_PATH=/data/sync_jobs.db \
    SYNC_LOG_PATH=/logs \
    NODE_ENV=production

# The node image's user "node" has uid 1000, the uid the original container ran as.
RUN mkdir -p /data /logs \
 && chown node:node /data /logs
VOLUME ["/data", "/logs"]
USER node

EXPOSE 5000

# /health answers 200 while the database works (also when a share is down: "degraded"), 503 when it does not.
# The slim image has no curl: Node's own fetch does the check.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SYNC_PORT || 5000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
