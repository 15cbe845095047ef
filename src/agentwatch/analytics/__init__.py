"""Analytics over what Prometheus recorded; ``promapi`` is the Prometheus HTTP API client."""
