"""Personal label values hashed before the SDK exposes them (docs/privacy.md).

Monitors and tracers take a ``Pseudonymizer``; without one they share this process's default:
the spec's default names (``DEFAULT_HASHED_LABELS``) under a key drawn once per process, so a
personal value never leaves the process as it is, and the agent, transport and voice
exporters and the traces of one process agree on its pseudonym.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from prometheus_client.metrics_core import Metric

from agentwatch.security import Pseudonymizer, pseudonymizer_for
from agentwatch.spec import DEFAULT_HASHED_LABELS

from ._cardinality import OVERFLOW

__all__ = ["default_pseudonymizer", "hash_labels"]

_lock = threading.Lock()
_default: Pseudonymizer | None = None


def default_pseudonymizer() -> Pseudonymizer:
    """This process's pseudonymizer for monitors built without one."""
    global _default
    with _lock:
        if _default is None:
            _default = pseudonymizer_for(DEFAULT_HASHED_LABELS, None)
        return _default


def hash_labels(metrics: Iterable[Metric], pseudonymizer: Pseudonymizer) -> Iterator[Metric]:
    """``metrics`` with the values of hashed label names replaced, at scrape time.

    Hashing here rather than when a message is recorded keeps the hot path free of it; the
    raw value stays in this process's memory, which is where it came from. A sample whose
    label names are all unhashed (every family of the default catalog) is passed as it is.
    The cardinality guard's ``__overflow__`` names nobody and stays readable.
    """
    names = pseudonymizer.names
    for metric in metrics:
        samples = metric.samples
        for index, sample in enumerate(samples):
            if not names.isdisjoint(sample.labels):
                labels = {
                    name: value if value == OVERFLOW else pseudonymizer.value(name, value)
                    for name, value in sample.labels.items()
                }
                samples[index] = sample._replace(labels=labels)
        yield metric
