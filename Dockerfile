# syntax=docker/dockerfile:1
# smid in a small non-root image: a static binary, CA certificates and a
# passwd entry on scratch (about 20 MB). Build from the repository root:
#   docker build --build-arg VERSION=$(git describe --always) -t smid .
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY daemon ./daemon
COPY internal ./internal
COPY migrations ./migrations
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/smid ./daemon
# The run stage has no shell: make its user and its storage directory here.
RUN mkdir -p /out/root/etc /out/root/var/lib/smid/files \
 && echo 'smid:x:10001:10001:smid:/var/lib/smid:/nonexistent' > /out/root/etc/passwd \
 && echo 'smid:x:10001:' > /out/root/etc/group \
 && chown -R 10001:10001 /out/root/var/lib/smid && chmod -R 0750 /out/root/var/lib/smid

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/root/ /
COPY --from=build /out/smid /usr/local/bin/smid
USER 10001:10001
ENV SMI_STORAGE_DIR=/var/lib/smid/files
VOLUME ["/var/lib/smid"]
EXPOSE 8787
ENTRYPOINT ["/usr/local/bin/smid"]
CMD ["serve"]
