# The service image: Node 20, the workspace's locked dependencies, TypeScript run by tsx, and the
# agents' softphone built in a first stage (it needs the dev dependencies; the service does not).
FROM node:20-slim AS softphone
WORKDIR /app
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY scripts/package.json scripts/
COPY softphone-web/package.json softphone-web/
RUN npm ci
# The softphone imports the realtime contract (and the types it names) from the server.
COPY server/src ./server/src
COPY softphone-web ./softphone-web
RUN npm run build -w softphone-web

FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY scripts/package.json scripts/
COPY softphone-web/package.json softphone-web/
RUN npm ci --omit=dev --ignore-scripts && npm install --no-save tsx
COPY server ./server
COPY dialplan ./dialplan
COPY --from=softphone /app/softphone-web/dist ./softphone-web/dist
USER node
EXPOSE 8080 8084
STOPSIGNAL SIGTERM
CMD ["npx", "tsx", "server/src/server.ts"]
