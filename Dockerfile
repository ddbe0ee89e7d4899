# revwatch: one static binary, run as an unprivileged user.
#   docker build -t revwatch .
#   docker run -v revwatch-data:/data -v $PWD/revwatch.yaml:/etc/revwatch/revwatch.yaml:ro \
#     -e SLACK_BOT_TOKEN revwatch
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO off: a static binary; time/tzdata would be needed for CRON_TZ in a
# scratch image, so the runtime image below keeps the zoneinfo.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/revwatch ./cmd/revwatch

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/revwatch /usr/local/bin/revwatch
# The config names store: /data/revwatch.db; listen: 0.0.0.0:8080 to reach the API/push endpoint.
VOLUME ["/data"]
WORKDIR /data
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/revwatch"]
CMD ["run", "--config", "/etc/revwatch/revwatch.yaml"]
