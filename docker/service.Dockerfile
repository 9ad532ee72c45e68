# The service image: Node 20, the workspace's locked dependencies, TypeScript run by tsx.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY scripts/package.json scripts/
COPY softphone-web/package.json softphone-web/
RUN npm ci --omit=dev --ignore-scripts && npm install --no-save tsx
COPY server ./server
COPY dialplan ./dialplan
USER node
EXPOSE 8080 8084
STOPSIGNAL SIGTERM
CMD ["npx", "tsx", "server/src/server.ts"]
