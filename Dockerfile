# syntax=docker/dockerfile:1
# Build stage: dev dependencies and the TypeScript compiler, producing dist/.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The compiler needs the type packages (dev dependencies); they are pruned after the build.
RUN npm ci --ignore-scripts --include=dev
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies (GraphiQL and React included: the
# playground serves their files), compiled code, schema and configs only.
FROM node:20-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY schema ./schema
COPY config ./config
USER node
EXPOSE 4000
# slim has no curl: Node's own fetch probes readiness, on loopback at PORT (it does not read the config file:
# set PORT, which overrides server.port, to move the port; a gateway bound to an address other than 0.0.0.0 or
# 127.0.0.1 needs its own check).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly, not npm: the signals of `docker stop` must reach the gateway itself.
CMD ["node", "--max-semi-space-size=8", "dist/main.js"]
