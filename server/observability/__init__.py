"""Operations: structured request logs and Prometheus metrics."""
