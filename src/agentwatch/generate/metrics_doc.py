"""docs/metrics.md, generated from the catalog."""

from __future__ import annotations

from collections.abc import Iterable

from agentwatch.catalog import CATALOG, MetricFamily, Origin

__all__ = ["metrics_markdown"]

_HEADER = """\
# Metric reference

Generated from `src/agentwatch/catalog` by `make generate`; do not edit by hand.
A test regenerates this file and fails on any difference.

Counters are listed by the sample name you query (`..._total`). Families marked *planned*
are named by the seed documents but not produced yet; the issue that will produce them is given.
"""

_STATUS_ENCODING = """\
## Encodings

- `agent_status` is one series per status (`idle`, `running`, `completed`, `failed`,
  `blocked`); the agent's current status has value 1 and the others 0. Select a status with
  `agent_status{status="failed"} == 1`.
- `agent_resource_usage` is a ratio 0-1 of the agent's limit, for `resource="cpu"` (CPU time
  used per second of wall time, over the workers the agent may use) and `resource="memory"`
  (resident memory over `agent_memory_limit_bytes`).
- `agent_health_score` (0-100) starts at 100 and deducts, from the agent's real state:
  up to 30 for CPU above 80% of its limit, up to 30 for memory above 80% of its limit,
  up to 20 for a queue deeper than 100 messages (full deduction at 1000), up to 30 for an
  error ratio above 1% over the last minute (full deduction at 10%), and 50 when the last
  heartbeat is older than 30 seconds. A failed agent scores 0. The result is clamped to 0-100.
- `agent_transport_latency_seconds` observes a sample of messages whose share adapts between
  0.1% and 100% with load (`agent_transport_latency_sample_ratio`); quantiles from it are
  unbiased, but its `_count` counts samples: use `agent_transport_messages_total` for rates.
"""


def _row(family: MetricFamily) -> str:
    labels = ", ".join(f"`{label}`" for label in family.labels) or "-"
    status = "emitted" if family.implemented else f"planned (issue {family.planned_in})"
    buckets = ""
    if family.buckets:
        buckets = " Buckets: " + ", ".join(f"{b:g}" for b in family.buckets) + "."
    seed = f" Seed {family.seed}." if family.seed else ""
    help_text = family.help.replace("|", "\\|")
    return (
        f"| `{family.name}` | {family.type} | {family.unit or '-'} | {labels} | {status} | "
        f"{help_text}{buckets}{seed} |"
    )


def _section(origin: Origin, families: Iterable[MetricFamily]) -> list[str]:
    lines = [
        f"## {origin.value.capitalize()}",
        "",
        "| name | type | unit | labels | status | meaning |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_row(f) for f in families]
    return [*lines, ""]


def metrics_markdown(catalog: Iterable[MetricFamily] = CATALOG) -> str:
    families = list(catalog)
    lines = [_HEADER, _STATUS_ENCODING]
    for origin in Origin:
        chosen = [f for f in families if f.origin is origin]
        if chosen:
            lines += _section(origin, chosen)
    return "\n".join(lines).rstrip() + "\n"
