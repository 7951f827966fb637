"""GET /metrics in Prometheus' text format."""

from __future__ import annotations

from litestar.plugins.prometheus import PrometheusConfig, PrometheusController

import server.observability.metrics  # noqa: F401  (registers Doorstep's own counters)

# Paths are grouped by route template so that ids never become label values.
prometheus_config = PrometheusConfig(app_name="doorstep", prefix="doorstep", group_path=True, exclude=["/metrics", "/static"])


class MetricsController(PrometheusController):
    path = "/metrics"
    include_in_schema = False
