# syntax=docker/dockerfile:1
# Causeway in a container: the packages built and packed from this checkout, installed as a user installs them.
#   docker build -t causeway .
#   docker run -d -p 8090:8090 -v causeway-data:/data causeway
# See docs/operations.md (Container image).

FROM node:22-bookworm-slim AS build
# The SQLite driver (better-sqlite3) is compiled from source when no prebuilt binary can be downloaded.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# npm ci builds everything (the `prepare` script); npm pack bundles the console into the server package.
RUN npm ci --no-audit --no-fund \
  && npm pack --pack-destination /tmp/packages -w packages/core -w packages/server \
  && mkdir /app && cd /app \
  && echo '{"name":"causeway-app","private":true,"type":"module"}' > package.json \
  && npm install --omit=dev --no-audit --no-fund /tmp/packages/*.tgz \
  && npm cache clean --force

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    CAUSEWAY_HOST=0.0.0.0 \
    CAUSEWAY_PORT=8090 \
    CAUSEWAY_DATA_DIR=/data \
    PATH=/app/node_modules/.bin:$PATH
WORKDIR /app
COPY --from=build --chown=root:root /app /app
RUN mkdir /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8090
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.CAUSEWAY_PORT + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) makes Causeway finish in-flight requests and close the database before it exits.
CMD ["causeway", "serve"]
