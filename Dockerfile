FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# The compiler needs the type packages (dev dependencies); they are pruned after the build.
RUN npm ci --ignore-scripts --include=dev
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schema ./schema
COPY config ./config
RUN npm run build && npm prune --omit=dev
USER node
EXPOSE 4000
# node directly, not npm: the signals of `docker stop` must reach the gateway itself.
CMD ["node", "dist/main.js"]
