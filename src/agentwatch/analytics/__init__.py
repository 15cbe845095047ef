"""Analytics over what Prometheus recorded, read through agentwatch.clients.prometheus."""
