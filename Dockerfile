# syntax=docker/dockerfile:1
# taskapi: a static binary in a distroless image that runs as a non-root
# user and has no shell. Build: docker build --build-arg VERSION=1.2.3 -t taskapi .

# 1. The ReDoc bundle, from the npm package pinned in web/package-lock.json
#    (what `go generate ./internal/httpapi/docsui` does outside Docker).
FROM node:22-bookworm-slim AS docs
WORKDIR /src/web
COPY web/package.json web/package-lock.json web/.npmrc ./
RUN npm ci --no-audit --no-fund --loglevel=error

# 2. The binary: pure Go (SQLite is modernc.org/sqlite), so CGO is off and
#    the result runs on an empty filesystem.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=docs /src/web/node_modules/redoc/bundles/redoc.standalone.js internal/httpapi/docsui/redoc/redoc.standalone.js
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/taskapi ./cmd/taskapi \
 && mkdir -p /out/data

# 3. The image: the binary, CA certificates and tzdata (distroless), user
#    nonroot (65532). /data holds the SQLite database when no PostgreSQL
#    URL is given.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/taskapi /taskapi
COPY --from=build --chown=65532:65532 /out/data /data
ENV TASKAPI_ADDR=0.0.0.0:8080 \
    TASKAPI_DATABASE_URL=sqlite:/data/taskapi.db
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
# No shell in the image: the binary checks itself (GET /healthz on TASKAPI_ADDR).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["/taskapi", "healthcheck"]
ENTRYPOINT ["/taskapi"]
CMD ["serve"]
