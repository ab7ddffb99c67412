# sync-webhook: Radarr/Sonarr webhook receiver that copies new media between NAS shares with rsync.
#
#   docker build -t sync-webhook .
#   cp .env.example .env && docker compose -f docker-compose.example.yml up -d
#
# docs/docker.md explains the image: PUID/PGID/UMASK, volumes, secrets, upgrading.

# The Node.js line of the image: Node 26 LTS on Debian bookworm. .ci/run reads this line and runs the whole
# suite on that Node as well as on Node 20, so the image's Node is the one tested.
ARG NODE_MAJOR=26

# Build stage: compiles TypeScript and, when no prebuilt binary fits, better-sqlite3's native addon.
FROM node:${NODE_MAJOR}-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev

# Runtime stage: Node.js, rsync, the compiled service and its production dependencies. No compiler, no curl.
# tini runs as PID 1 and reaps the processes a killed rsync or mount probe leaves behind (Node does not).
# apprise (Debian's package, Python) sends the notification URLs whose scheme is not built in
# (docs/notifications.md); without it such a URL stops the start.
# setpriv, which switches to PUID:PGID, is util-linux's: part of every Debian image.
FROM node:${NODE_MAJOR}-bookworm-slim

# The package.json version (a test keeps them equal); SOURCE_URL is the repository the image is built
# from, given at build time: docker build --build-arg SOURCE_URL=https://… .
ARG VERSION=3.0.0
ARG SOURCE_URL=
LABEL org.opencontainers.image.title="sync-webhook" \
      org.opencontainers.image.description="Radarr/Sonarr webhooks to rsync jobs between NAS shares" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.licenses="MIT"

RUN apt-get update \
 && apt-get install -y --no-install-recommends rsync tini apprise \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY docker ./docker

# The original service's paths. Outside Docker the defaults are ./data/sync_jobs.db and ./logs.
# TZ is not set here: the container's TZ (UTC when unset) is the service's time zone.
ENV SYNC_DB_PATH=/data/sync_jobs.db \
    SYNC_LOG_PATH=/logs \
    NODE_ENV=production

# The container starts as root only for docker/entrypoint.sh: it gives /data and /logs to PUID:PGID
# (default 1000:1000, the image's user "node") and starts the service as that user with UMASK.
# `sync-webhook` on the PATH is the command line, switched to the same user (docker exec runs as root).
RUN chmod 0755 /app/docker/entrypoint.sh /app/docker/sync-webhook \
 && ln -s /app/docker/sync-webhook /usr/local/bin/sync-webhook \
 && mkdir -p /data /logs \
 && chown node:node /data /logs
VOLUME ["/data", "/logs"]

EXPOSE 5000

# /health answers 200 while the database works (also when a share is down: "degraded"), 503 when it does not.
# The slim image has no curl: Node's own fetch does the check.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SYNC_PORT || 5000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--", "/app/docker/entrypoint.sh"]
CMD ["node", "dist/main.js"]
