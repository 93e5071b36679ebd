# syntax=docker/dockerfile:1
# Spool's image: one binary (`spool serve|gateway|manager|worker`), ffmpeg and the OpenCL loader, run as a non-root
# user under tini (PID 1 forwards SIGTERM to spool, so drains work, and reaps ffmpeg). The root filesystem can be
# read-only: Spool writes only under /var/lib/spool (a volume) and /tmp.
#
#   docker build -t spool .
#   docker run --read-only --tmpfs /tmp -v spool-data:/var/lib/spool -p 7878:7878 -e SPOOL_ADMIN_KEY=… spool
#
# Without a registry (no base images to pull), scripts/build-image.sh builds the same image from Debian's packages with
# mmdebstrap and buildah, and runs it with podman.

ARG SWIFT_VERSION=6.3
ARG DEBIAN_RELEASE=bookworm

FROM swift:${SWIFT_VERSION}-${DEBIAN_RELEASE} AS build
WORKDIR /src
# Every target the manifest names must exist for it to load (the tests and the placement benchmark too); only `spool`
# is built.
COPY Package.swift Package.resolved ./
COPY Sources Sources
COPY Tests Tests
COPY bench/placement bench/placement
# FFmpeg's headers, for `spool measure-ssim` (it opens the libraries the runtime stage's ffmpeg brings when it runs).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libavformat-dev libavcodec-dev \
    && rm -rf /var/lib/apt/lists/*
# The binary, its resource bundles (openapi.yaml) and the Swift runtime it links against (Foundation, Concurrency,
# dispatch, ICU data).
RUN swift build -c release --product spool \
    && bin="$(swift build -c release --show-bin-path)" \
    && mkdir -p /out/bin /out/lib \
    && cp "$bin/spool" /out/bin/ \
    && cp -R "$bin"/*.resources /out/bin/ \
    && cp /usr/lib/swift/linux/*.so /out/lib/

FROM debian:${DEBIAN_RELEASE}-slim
ARG VERSION=dev
ARG REVISION=unknown
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ffmpeg ocl-icd-libopencl1 ca-certificates tini curl libcurl4 libsqlite3-0 libxml2 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --user-group --no-create-home --home-dir /var/lib/spool --shell /usr/sbin/nologin spool \
    && mkdir -p /var/lib/spool && chown 10001:10001 /var/lib/spool
COPY --from=build /out/lib/ /usr/local/lib/swift/
COPY --from=build /out/bin/ /usr/local/bin/
RUN echo /usr/local/lib/swift > /etc/ld.so.conf.d/swift.conf && ldconfig && spool --help >/dev/null
LABEL org.opencontainers.image.title="spool" \
      org.opencontainers.image.description="Turns uploaded videos into streamable renditions on pools of GPU and CPU workers" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
USER 10001:10001
WORKDIR /var/lib/spool
VOLUME ["/var/lib/spool"]
EXPOSE 7878
# serve on all addresses refuses to start without an admin key: pass SPOOL_ADMIN_KEY (or mount --admin-key-file).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD curl -fsS http://127.0.0.1:7878/health || exit 1
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/spool"]
CMD ["serve", "--host", "0.0.0.0", "--data", "/var/lib/spool"]
