"""Hostile input: random bytes, mutated valid payloads (bit flips, truncations, splices) and
randomly built requests, as protobuf and JSON, thousands straight into the WSGI app and a few
hundred over HTTP (in CI; tests/hypothesis_profiles.py scales the counts). Never a 5xx, never
an exception, served counters never go backwards, and a valid request is still answered
correctly afterwards, in an exposition promtool finds nothing to report in."""

from __future__ import annotations

import http.client
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from google.protobuf import json_format  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)

from agentwatch.catalog import OTLP_SOURCES
from agentwatch.exporters.otlp import OtlpApp, OtlpReceiver, OtlpStore
from agentwatch.spec import OtlpReceiverSettings
from tests.hypothesis_profiles import examples, examples_in_ci
from tests.unit.tools import check_metrics

from .conftest import (
    CUMULATIVE,
    SECOND,
    call,
    exposition,
    hist_metric,
    hist_point,
    number,
    request,
    sum_metric,
    value,
)

# Requests are drawn whole (up to four metrics of three points each): slow and large by design.
SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large]
# Examples in CI of the tests that assert on how many requests they made: the profile scales
# the examples, so the counts asserted scale with them (examples()).
RANDOM_BYTES = 1500
BUILT = 1000
OVER_HTTP = 300
TYPES = ("application/x-protobuf", "application/json")


def _seeds() -> list[ExportMetricsServiceRequest]:
    labels = {"type": "input", "model": "m", "terminal.type": "vscode", "session.id": "s"}
    return [
        request(sum_metric("claude_code.token.usage", [number(5, labels)], unit="tokens")),
        request(
            sum_metric(
                "claude_code.cost.usage",
                [number(0.5, {"model": "m"}, start=SECOND, time=3 * SECOND)],
                temporality=CUMULATIVE,
                unit="USD",
            ),
            sum_metric("claude_code.commit.count", [number(1)]),
        ),
        request(
            hist_metric(
                "gen_ai.client.operation.duration",
                [hist_point((0.1, 1.0, 10.0), (1, 2, 3, 0), 12.5, {"gen_ai.system": "x"})],
            )
        ),
    ]


SEEDS_PB = [seed.SerializeToString() for seed in _seeds()]
SEEDS_JSON = [json_format.MessageToJson(seed).encode() for seed in _seeds()]


class Monotonic:
    """Checks, after every request, that no served sample went down or stopped being finite."""

    def __init__(self, store: OtlpStore) -> None:
        self.store = store
        self.previous: dict[tuple[Any, ...], float] = {}

    def check(self) -> None:
        snapshot = self.store.snapshot()
        now: dict[tuple[Any, ...], float] = {}
        for family, series in snapshot.counters.items():
            for labels, v in series.items():
                now[(family.name, labels)] = v
        for family, hists in snapshot.histograms.items():
            for labels, h in hists.items():
                now[(family.name, labels, "count")] = h.count
                now[(family.name, labels, "sum")] = h.sum
                cumulative = 0.0
                for index, count in enumerate(h.counts):
                    cumulative += count
                    now[(family.name, labels, index)] = cumulative
        for key, v in now.items():
            assert math.isfinite(v), key
            assert v >= self.previous.get(key, 0.0), (key, self.previous.get(key), v)
        self.previous = now


def _assert_answered(status: int) -> None:
    assert status < 500, status
    assert status in (200, 400, 413), status


def _mutate(data: st.DataObject, seed: bytes, seeds: list[bytes]) -> bytes:
    body = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 4))):
        how = data.draw(st.sampled_from(["flip", "truncate", "splice", "insert", "repeat"]))
        if how == "flip" and body:
            at = data.draw(st.integers(0, len(body) - 1))
            body[at] ^= 1 << data.draw(st.integers(0, 7))
        elif how == "truncate" and body:
            body = body[: data.draw(st.integers(0, len(body) - 1))]
        elif how == "splice":
            other = data.draw(st.sampled_from(seeds))
            a = data.draw(st.integers(0, len(body)))
            b = data.draw(st.integers(0, len(other)))
            body = body[:a] + other[b:]
        elif how == "insert":
            at = data.draw(st.integers(0, len(body)))
            body[at:at] = data.draw(st.binary(min_size=1, max_size=16))
        elif how == "repeat":
            body = body * data.draw(st.integers(2, 3))
    return bytes(body)


names = st.sampled_from([s.otel_name for s in OTLP_SOURCES] + ["other.metric", ""])
units = st.sampled_from(["", "s", "ms", "USD", "tokens", "{token}", "count", "By"])
attribute_sets = st.dictionaries(
    st.sampled_from(["type", "model", "terminal.type", "session.id", "gen_ai.operation.name"]),
    st.one_of(st.text(max_size=8), st.integers(-5, 5), st.booleans()),
    max_size=3,
)
number_values = st.one_of(
    st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=True, allow_infinity=True)
)
times = st.integers(0, 6).map(lambda t: t * SECOND)


SOURCES = {source.otel_name: source for source in OTLP_SOURCES}


@st.composite
def built_requests(draw: st.DrawFn) -> ExportMetricsServiceRequest:
    """Requests that decode, with every field drawn: the store's rules under attack. Most
    metrics are close to valid (right name, type, unit and temporality), so the rules for
    accepted points are exercised as much as the refusals."""
    metrics = []
    for _ in range(draw(st.integers(1, 4))):
        name = draw(names)
        source = SOURCES.get(name)
        plausible = source is not None and draw(st.integers(0, 9)) < 7
        unit = draw(st.sampled_from(source.units) if plausible and source else units)
        temporality = draw(st.sampled_from([1, 2]) if plausible else st.integers(0, 3))
        is_sum = source.kind == "sum" if plausible and source else draw(st.booleans())
        if is_sum:
            values = st.integers(0, 100) | st.floats(0, 1e6) if plausible else number_values
            points = [
                number(draw(values), draw(attribute_sets), start=draw(times), time=draw(times))
                for _ in range(draw(st.integers(0, 3)))
            ]
            monotonic = plausible or draw(st.booleans())
            metrics.append(
                sum_metric(name, points, temporality=temporality, monotonic=monotonic, unit=unit)
            )
        else:
            hist = []
            for _ in range(draw(st.integers(0, 3))):
                if plausible and draw(st.booleans()):
                    bounds = [0.1, 1.0, 10.0]
                    counts = draw(st.lists(st.integers(0, 50), min_size=4, max_size=4))
                    total = draw(st.floats(0, 1e4))
                else:
                    bounds = draw(st.lists(st.floats(allow_nan=True), max_size=4))
                    counts = draw(st.lists(st.integers(0, 2**20), max_size=6))
                    total = draw(st.floats(allow_nan=True, allow_infinity=True))
                point = hist_point(
                    bounds,
                    counts,
                    total,
                    draw(attribute_sets),
                    start=draw(times),
                    time=draw(times),
                )
                if not plausible and draw(st.booleans()):
                    point.count = draw(st.integers(0, 2**64 - 1))
                hist.append(point)
            metrics.append(hist_metric(name, hist, temporality=temporality, unit=unit))
    return request(*metrics, service=draw(st.sampled_from(["claude-code", "agent", ""])))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=10,
)


def _json_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, child in node.items():
            found += _json_paths(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _json_paths(child, (*path, index))
    return found


def _replace(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = new
    return document


def _run_in_app(check: Callable[[OtlpApp, Monotonic], None]) -> OtlpApp:
    store = OtlpStore(OtlpReceiverSettings(max_series=200, max_streams=200))
    app = OtlpApp(store)
    # The series the final check adds to exists before the fuzzing, which may fill the series
    # cap: a new series would then be refused, rightly.
    assert call(app, _after_request(1)).status == 200
    check(app, Monotonic(store))
    return app


def _after_request(count: int) -> bytes:
    points = [number(count, {"terminal.type": "after"})]
    body: bytes = request(sum_metric("claude_code.pull_request.count", points)).SerializeToString()
    return body


def _still_answers_correctly(app: OtlpApp, promtool: Path) -> None:
    """After the fuzzing, a valid request is served exactly, and promtool finds nothing to
    report in the exposition of all that was accepted."""
    before = value(app.store, "claude_code_pull_request_count_total", terminal_type="after")
    assert before is not None
    reply = call(app, _after_request(3))
    assert reply.status == 200
    assert (
        value(app.store, "claude_code_pull_request_count_total", terminal_type="after")
        == before + 3
    )
    check_metrics(promtool, exposition(app.store))


def test_random_bytes_never_break_the_app(promtool: Path) -> None:
    def run(app: OtlpApp, monotonic: Monotonic) -> None:
        @settings(examples_in_ci(RANDOM_BYTES), suppress_health_check=SUPPRESSED)
        @given(body=st.binary(max_size=600), content_type=st.sampled_from(TYPES), gz=st.booleans())
        def one(body: bytes, content_type: str, gz: bool) -> None:
            headers = {"Content-Encoding": "gzip"} if gz else {}
            reply = call(app, body, content_type=content_type, headers=headers)
            _assert_answered(reply.status)
            monotonic.check()

        one()

    app = _run_in_app(run)
    # Random bytes are seldom a valid export: more than one in 15 is refused (100 of CI's 1500).
    bad_requests = value(app.store, "otlp_receiver_requests_total", outcome="bad_request") or 0
    assert bad_requests > examples(RANDOM_BYTES) // 15
    _still_answers_correctly(app, promtool)


def test_mutated_valid_payloads_never_break_the_app(promtool: Path) -> None:
    def run(app: OtlpApp, monotonic: Monotonic) -> None:
        @settings(examples_in_ci(1500), suppress_health_check=SUPPRESSED)
        @given(data=st.data(), as_json=st.booleans())
        def one(data: st.DataObject, as_json: bool) -> None:
            seeds = SEEDS_JSON if as_json else SEEDS_PB
            body = _mutate(data, data.draw(st.sampled_from(seeds)), seeds)
            reply = call(app, body, content_type=TYPES[as_json])
            _assert_answered(reply.status)
            monotonic.check()

        one()

    app = _run_in_app(run)
    _still_answers_correctly(app, promtool)


def test_randomly_built_requests_never_break_the_store(promtool: Path) -> None:
    def run(app: OtlpApp, monotonic: Monotonic) -> None:
        @settings(examples_in_ci(BUILT), suppress_health_check=SUPPRESSED)
        @given(built=built_requests(), as_json=st.booleans())
        def one(built: ExportMetricsServiceRequest, as_json: bool) -> None:
            body = (
                json_format.MessageToJson(built).encode() if as_json else built.SerializeToString()
            )
            reply = call(app, body, content_type=TYPES[as_json])
            assert reply.status == 200, reply.body
            monotonic.check()

        one()

    app = _run_in_app(run)
    accepted = value(app.store, "otlp_receiver_data_points_total", outcome="accepted") or 0
    # Most built requests are close to valid: more than half a point each (500 of CI's 1000).
    assert accepted > examples(BUILT) // 2
    _still_answers_correctly(app, promtool)


def test_json_with_values_swapped_for_random_ones_never_breaks_the_app(promtool: Path) -> None:
    documents = [json.loads(seed) for seed in SEEDS_JSON]

    def run(app: OtlpApp, monotonic: Monotonic) -> None:
        @settings(examples_in_ci(800), suppress_health_check=SUPPRESSED)
        @given(data=st.data())
        def one(data: st.DataObject) -> None:
            document = json.loads(json.dumps(data.draw(st.sampled_from(documents))))
            for _ in range(data.draw(st.integers(1, 3))):
                path = data.draw(st.sampled_from(_json_paths(document)))
                document = _replace(document, path, data.draw(json_values))
            reply = call(app, json.dumps(document).encode(), content_type="application/json")
            _assert_answered(reply.status)
            monotonic.check()

        one()

    app = _run_in_app(run)
    _still_answers_correctly(app, promtool)


def _post(receiver: OtlpReceiver, body: bytes, content_type: str) -> int:
    connection = http.client.HTTPConnection(receiver.host, receiver.port, timeout=10)
    try:
        connection.request("POST", "/v1/metrics", body=body, headers={"Content-Type": content_type})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_hostile_payloads_over_real_http() -> None:
    store = OtlpStore(OtlpReceiverSettings(max_series=200, max_streams=200))
    monotonic = Monotonic(store)
    with OtlpReceiver(store, port=0) as receiver:

        @settings(examples_in_ci(OVER_HTTP), suppress_health_check=SUPPRESSED)
        @given(data=st.data(), as_json=st.booleans())
        def one(data: st.DataObject, as_json: bool) -> None:
            seeds = SEEDS_JSON if as_json else SEEDS_PB
            if data.draw(st.booleans()):
                body = _mutate(data, data.draw(st.sampled_from(seeds)), seeds)
            else:
                body = data.draw(st.binary(max_size=400))
            _assert_answered(_post(receiver, body, TYPES[as_json]))
            monotonic.check()

        one()
        valid = request(
            sum_metric("claude_code.pull_request.count", [number(3, {"terminal.type": "http"})])
        ).SerializeToString()
        assert _post(receiver, valid, TYPES[0]) == 200
    assert value(store, "claude_code_pull_request_count_total", terminal_type="http") == 3
    total = sum(store.snapshot().requests.values())
    assert total >= examples(OVER_HTTP) + 1  # every example's request, and the valid one
    assert "internal_error" not in store.snapshot().requests
