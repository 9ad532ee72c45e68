# The service image: Node 20, the workspace's locked run-time dependencies, and the compiled
# service (server/dist, plain node: no TypeScript loader in production, ~40 MB less RSS). The
# first stage has the dev dependencies and builds the agents' softphone and the service.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY server/package.json server/
COPY scripts/package.json scripts/
COPY softphone-web/package.json softphone-web/
RUN npm ci
# The softphone imports the realtime contract (and the types it names) from the server.
COPY server/src ./server/src
COPY server/tsconfig.build.json ./server/
COPY softphone-web ./softphone-web
RUN npm run build -w softphone-web && npm run build -w @hotline12345/server

FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY scripts/package.json scripts/
COPY softphone-web/package.json softphone-web/
RUN npm ci --omit=dev --ignore-scripts
COPY --from=build /app/server/dist ./server/dist
COPY dialplan ./dialplan
COPY --from=build /app/softphone-web/dist ./softphone-web/dist
USER node
EXPOSE 8080 8084
STOPSIGNAL SIGTERM
# --heap-growing-percent=100: V8 lets the old generation grow to twice the live heap between full
# collections instead of up to ~4x; at 100 calls/s (npm run bench -- load) peak RSS 396 -> 284 MB
# with the same CPU and event-loop lag (scripts/bench/README.md). The systemd unit says the same.
CMD ["node", "--heap-growing-percent=100", "server/dist/server.js"]
