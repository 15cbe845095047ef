import numpy as np
import pytest

from agentwatch.catalog import LATENCY_BUCKETS
from agentwatch.instrument._histogram import Histogram, bucket_counts


@pytest.mark.parametrize("size", [1, 10, 63, 64, 1000])
def test_observe_many_equals_observing_one_by_one(size: int) -> None:
    values = np.random.default_rng(size).lognormal(-5, 2, size)
    values[0] = LATENCY_BUCKETS[3]  # a value on a bound belongs to that bound's bucket
    one_by_one, at_once = Histogram(LATENCY_BUCKETS), Histogram(LATENCY_BUCKETS)
    for value in values:
        one_by_one.observe(float(value))
    at_once.observe_many(values)
    assert at_once.counts == one_by_one.counts
    assert at_once.sum == pytest.approx(one_by_one.sum)
    assert bucket_counts(at_once.snapshot()[0])["+Inf"] == size
