# The mock's own image. `make docker` builds it as idvkit:dev (IMAGE=...) from a build context holding
# this file and a static idvkit binary (CGO_ENABLED=0) stamped with the revision, so nothing is pulled.
#
#   docker run --rm --network host -e IDVKIT_ADDR=127.0.0.1:8080 idvkit:dev
#   docker run --rm -p 8080:8080 -e IDVKIT_ONLY=rambase -e IDVKIT_CONTROL_TOKEN=secret idvkit:dev
#
# Against DNS rebinding the mock answers only a Host that is an IP address or a localhost name
# (http://localhost:8080 through -p): a client that names it otherwise, a docker-compose service
# (http://idvkit:8080), needs IDVKIT_ALLOWED_HOSTS=idvkit.
#
# Every serve flag has its IDVKIT_* variable; arguments after the image replace `serve`
# (`docker run --rm idvkit:dev version`).
FROM scratch
COPY idvkit /idvkit
USER 65534:65534
# Inside a container the mock listens on every interface, so a published port reaches it; serve warns
# when no control token guards it there.
ENV IDVKIT_ADDR=0.0.0.0:8080
EXPOSE 8080
# scratch has no shell or curl: the binary checks itself (GET /_mock/healthz at IDVKIT_ADDR).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/idvkit", "health"]
ENTRYPOINT ["/idvkit"]
CMD ["serve"]
