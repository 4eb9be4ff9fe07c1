# syntax=docker/dockerfile:1
# telegram-channel-operator image.
#
#   make image                       # or: docker build -t telegram-channel-operator:dev .
#
# Build stage: Node.js 24 LTS (Debian bookworm slim). `npm ci` also installs the project's pinned Node
# (the `node` devDependency), which `npm run build` then uses for tsc; `npm prune --omit=dev` removes
# it again with the other dev dependencies.
# Runtime stage: distroless Node.js 24 on Debian 12 (same glibc as the build stage), no shell, no
# package manager, user 65532 (nonroot). It runs on the base image's own node, /nodejs/bin/node.
ARG BUILD_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev \
 && test ! -e node_modules/node

FROM ${RUNTIME_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY crds ./crds
USER 65532:65532
EXPOSE 8080
# The operator. The CLI is in the same image:
#   docker run --rm --entrypoint /nodejs/bin/node IMAGE /app/dist/cli/index.js chats
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/main.js"]
