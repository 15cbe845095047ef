"""Side-by-side benchmarks of the agentwatch SDK against prometheus_client and OpenTelemetry.

``python -m benchmarks`` (``make bench``) runs them all, prints a table and writes
``benchmarks/results.json``; RESULTS.md explains the figures.
"""
