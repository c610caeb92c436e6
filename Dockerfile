# syncd as a container: mount the config at /etc/syncd/syncd.toml (and HR files where it says),
# point [database].url at your PostgreSQL, and the daemon reconciles on its schedule.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SYNCD_CONFIG=/etc/syncd/syncd.toml \
    SYNCD_HEARTBEAT=/var/lib/syncd/heartbeat

RUN useradd --system --uid 10001 --home-dir /var/lib/syncd --create-home syncd

COPY pyproject.toml README.md /src/
COPY syncd /src/syncd
COPY migrations /src/migrations
RUN pip install --no-cache-dir /src && rm -rf /src

USER syncd
WORKDIR /var/lib/syncd
VOLUME ["/var/lib/syncd"]

# The health check asks the daemon's /healthz when it serves metrics ([metrics] port or
# `run --metrics-port`; its heartbeat then holds their address): 503 when the scheduler is
# gone or a target had no successful cycle within [metrics] healthy_within. With metrics
# off it checks the heartbeat's age alone, as before. Publish the metrics port to scrape
# /metrics (docs/metrics.md).
HEALTHCHECK --interval=60s --timeout=10s --start-period=120s --retries=3 \
  CMD ["syncd", "healthcheck", "--max-age", "120", "--endpoint", "/healthz"]

ENTRYPOINT ["syncd"]
CMD ["run"]
