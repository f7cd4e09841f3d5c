# copylab serve in a container (issue 16; docs/python.md#container). Multi-stage: the release
# binary is built in the Rust image and copied alone into a slim Debian image, run as a non-root
# user, with a health check on /_copylab/health.
#   docker build -t copylab .
#   docker run --rm -p 4747:4747 copylab                       # the default world
#   docker run --rm -p 4747:4747 copylab --scenario seed_destination_vault_default_key
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p copylab && strip target/release/copylab

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin copylab \
  && install -d -o copylab /data
COPY --from=build /src/target/release/copylab /usr/local/bin/copylab
USER copylab
EXPOSE 4747
# bash's /dev/tcp: the slim image has no curl, and the check needs nothing else.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/4747 && printf 'GET /_copylab/health HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' >&3 && grep -q '\"status\":\"ok\"' <&3"]
# The container's port is published to the host; other containers reaching it by a name need
# --allow-host NAME (names other than loopback ones are refused against DNS rebinding).
ENTRYPOINT ["copylab", "serve", "--bind", "0.0.0.0:4747"]
