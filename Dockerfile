# syntax=docker/dockerfile:1
# Kidtime hub image: the NestJS hub, the web app (ui/dist) and the agent bundle it serves to kids' PCs.
#   docker compose up -d        (see docker-compose.yml)
#   docker build -t kidtime-hub .

# ---- build: compile everything, then keep only production dependencies ----
FROM node:20-bookworm-slim AS build
# sqlite3 is a native addon: node-gyp compiles it when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# The official node image has Node's headers in /usr/local/include/node; point node-gyp there (no download).
ENV npm_config_nodedir=/usr/local \
    SCARF_ANALYTICS=false
WORKDIR /app

# Dependencies first (cached until a package.json or the lockfile changes).
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY hub/package.json hub/
COPY agent/package.json agent/
COPY ui/package.json ui/
RUN npm ci --no-audit --no-fund

COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force
# Keep only the compiled sqlite3 addon (drop ~20 MB of object files), then prove the native modules load.
RUN addon=node_modules/sqlite3/build/Release/node_sqlite3.node \
 && cp "$addon" /tmp/node_sqlite3.node \
 && rm -rf node_modules/sqlite3/build \
 && mkdir -p node_modules/sqlite3/build/Release \
 && mv /tmp/node_sqlite3.node "$addon" \
 && node -e "require('sqlite3'); require('@node-rs/argon2'); require('@kidtime/protocol')"

# ---- runtime: only what the hub needs, run as the unprivileged node user ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    KIDTIME_DATA_DIR=/data
WORKDIR /app

# Same relative layout as the repository: the hub finds ../../../ui/dist and ../../../agent/dist from hub/dist/*.
# node_modules/@kidtime/* are workspace symlinks (e.g. @kidtime/protocol -> ../../protocol), so protocol/ sits
# next to node_modules exactly as in the repo.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/protocol/package.json ./protocol/package.json
COPY --from=build /app/protocol/dist ./protocol/dist
COPY --from=build /app/hub/package.json ./hub/package.json
COPY --from=build /app/hub/dist ./hub/dist
COPY --from=build /app/agent/dist ./agent/dist
COPY --from=build /app/ui/dist ./ui/dist

# The database and the generated secrets.json live in /data; keep it on a volume.
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
VOLUME ["/data"]
USER node

EXPOSE 8080
# Slim images have no curl: ask node itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"

CMD ["node", "hub/dist/main.js"]
