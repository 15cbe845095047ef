"""The Prometheus API client against scripted HTTP answers (httpx.MockTransport, no network)."""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import numpy as np
import pytest

from agentwatch.clients.prometheus import (
    MAX_POINTS_PER_SERIES,
    PrometheusAPI,
    PrometheusError,
    RangeSeries,
)

URL = "http://prom.test:9090"

Handler = Callable[[httpx.Request], httpx.Response]


class Server:
    """Answers each request with the next scripted response (or exception), recording both."""

    def __init__(self, *script: httpx.Response | Exception | Handler) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return step(request)


def api(server: Server, sleeps: list[float] | None = None, **kwargs: Any) -> PrometheusAPI:
    record = server.sleeps if server.sleeps is not None else []
    return PrometheusAPI(URL, sleep=record.append, transport=httpx.MockTransport(server), **kwargs)


def ok(data: dict[str, Any], warnings: list[str] | None = None) -> httpx.Response:
    body: dict[str, Any] = {"status": "success", "data": data}
    if warnings:
        body["warnings"] = warnings
    return httpx.Response(200, json=body)


def error(status: int, kind: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"status": "error", "errorType": kind, "error": message})


VECTOR = ok(
    {
        "resultType": "vector",
        "result": [
            {"metric": {"__name__": "up", "job": "a"}, "value": [1700000000, "1"]},
            {"metric": {"__name__": "up", "job": "b"}, "value": [1700000000, "0"]},
        ],
    }
)


# --- answers of each shape ---------------------------------------------------------------


def test_instant_vector_with_labels_and_the_time_asked_for() -> None:
    server = Server(VECTOR)
    samples = api(server).query("up", at=1700000000.5)
    assert [(s.labels["job"], s.value) for s in samples] == [("a", 1.0), ("b", 0.0)]
    (request,) = server.requests
    assert request.url.path == "/api/v1/query"
    assert dict(request.url.params) == {"query": "up", "time": "1700000000.5"}


def test_instant_query_without_a_time_leaves_it_to_the_server() -> None:
    server = Server(VECTOR)
    api(server).query("up")
    assert "time" not in server.requests[0].url.params


def test_a_scalar_is_one_unlabelled_sample() -> None:
    samples = api(Server(ok({"resultType": "scalar", "result": [1700000000, "42.5"]}))).query(
        "42.5"
    )
    assert [(s.labels, s.value) for s in samples] == [({}, 42.5)]


def test_an_empty_vector_is_an_empty_list_and_value_none() -> None:
    client = api(Server(ok({"resultType": "vector", "result": []})))
    assert client.query("nothing") == []
    assert client.value("nothing") is None


def test_nan_and_infinities_are_floats() -> None:
    answer = ok(
        {
            "resultType": "vector",
            "result": [
                {"metric": {"s": "nan"}, "value": [1, "NaN"]},
                {"metric": {"s": "inf"}, "value": [1, "+Inf"]},
                {"metric": {"s": "-inf"}, "value": [1, "-Inf"]},
            ],
        }
    )
    values = {s.labels["s"]: s.value for s in api(Server(answer)).query("x")}
    assert math.isnan(values["nan"])
    assert values["inf"] == math.inf
    assert values["-inf"] == -math.inf


def test_value_skips_nan() -> None:
    answer = ok(
        {
            "resultType": "vector",
            "result": [
                {"metric": {"s": "a"}, "value": [1, "NaN"]},
                {"metric": {"s": "b"}, "value": [1, "3"]},
            ],
        }
    )
    assert api(Server(answer)).value("x") == 3.0


def test_an_instant_query_answered_with_a_range_vector_says_so() -> None:
    answer = ok({"resultType": "matrix", "result": [{"metric": {}, "values": [[1, "1"]]}]})
    with pytest.raises(PrometheusError, match=r"range vector.*query_range") as caught:
        api(Server(answer)).query("up[5m]")
    assert URL in str(caught.value)
    assert not caught.value.unreachable


def test_a_string_result_is_not_a_number() -> None:
    answer = ok({"resultType": "string", "result": [1700000000, "hello"]})
    with pytest.raises(PrometheusError, match="with a string"):
        api(Server(answer)).query('"hello"')


def test_range_query_gives_time_ordered_arrays_per_series() -> None:
    answer = ok(
        {
            "resultType": "matrix",
            "result": [
                {"metric": {"job": "a"}, "values": [[100, "1"], [160, "NaN"], [220, "+Inf"]]},
                {"metric": {"job": "b"}, "values": [[160, "2.5"]]},
            ],
        }
    )
    server = Server(answer)
    a, b = api(server).query_range("up", start=100, end=220, step=60)
    assert a.labels == {"job": "a"}
    assert a.timestamps.dtype == np.float64
    assert a.values.dtype == np.float64
    assert a.timestamps.tolist() == [100.0, 160.0, 220.0]
    assert a.values[0] == 1.0
    assert math.isnan(a.values[1])
    assert a.values[2] == math.inf
    assert b.timestamps.tolist() == [160.0]
    assert b.values.tolist() == [2.5]
    (request,) = server.requests
    assert request.url.path == "/api/v1/query_range"
    assert dict(request.url.params) == {"query": "up", "start": "100", "end": "220", "step": "60"}


@pytest.mark.parametrize(("start", "end", "step"), [(0, 10, 0), (10, 0, 1), (0, math.inf, 1)])
def test_a_bad_range_is_refused_before_asking(start: float, end: float, step: float) -> None:
    server = Server(VECTOR)
    with pytest.raises(ValueError, match="bad range"):
        api(server).query_range("up", start=start, end=end, step=step)
    assert server.requests == []


def test_warnings_are_kept_until_the_next_query() -> None:
    server = Server(ok({"resultType": "vector", "result": []}, ["too many series"]), VECTOR)
    client = api(server)
    client.query("a")
    assert client.last_warnings == ("too many series",)
    client.query("b")
    assert not client.last_warnings


def test_malformed_data_is_an_error_not_a_crash() -> None:
    answer = ok({"resultType": "vector", "result": [{"metric": {}}]})
    with pytest.raises(PrometheusError, match="malformed"):
        api(Server(answer)).query("up")
    answer = ok({"resultType": "matrix", "result": [{"metric": {}, "values": [[1, None]]}]})
    with pytest.raises(PrometheusError, match="malformed"):
        api(Server(answer)).query_range("up", start=0, end=1, step=1)


def test_native_histograms_are_refused_clearly() -> None:
    answer = ok({"resultType": "vector", "result": [{"metric": {}, "histogram": [1, {}]}]})
    with pytest.raises(PrometheusError, match="native histogram"):
        api(Server(answer)).query("h")


# --- retries -----------------------------------------------------------------------------

TRANSIENT: list[httpx.Response | Exception] = [
    httpx.ConnectError("[Errno 111] Connection refused"),
    httpx.ReadError("[Errno 104] Connection reset by peer"),
    httpx.RemoteProtocolError("Server disconnected without sending a response."),
    httpx.ConnectTimeout("timed out"),
    httpx.ReadTimeout("timed out"),
    httpx.Response(429, text="slow down"),
    httpx.Response(502, text="<html>Bad Gateway</html>", headers={"Content-Type": "text/html"}),
    error(503, "unavailable", "Service Unavailable"),
    httpx.Response(504, text="gateway timeout"),
]


@pytest.mark.parametrize("failure", TRANSIENT, ids=lambda f: type(f).__name__ + str(f)[:20])
def test_a_transient_failure_is_retried_and_then_succeeds(
    failure: httpx.Response | Exception,
) -> None:
    server = Server(failure, VECTOR)
    samples = api(server).query("up")
    assert len(samples) == 2
    assert len(server.requests) == 2
    assert server.sleeps == [0.2]


@pytest.mark.parametrize(
    ("failure", "says"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "cannot reach Prometheus at"),
        (httpx.ReadTimeout("timed out"), "did not answer in time (timeout 5 s"),
        (httpx.Response(503, text="not ready"), "answered HTTP 503 Service Unavailable"),
    ],
)
def test_when_retries_run_out_the_error_is_unreachable_and_names_the_server(
    failure: httpx.Response | Exception, says: str
) -> None:
    server = Server(failure)
    with pytest.raises(PrometheusError) as caught:
        api(server).query("up")
    message = str(caught.value)
    assert caught.value.unreachable
    assert URL in message
    assert says in message
    assert "3 attempts" in message
    assert len(server.requests) == 3
    assert server.sleeps == [0.2, 0.4]


def test_back_off_doubles_up_to_the_cap() -> None:
    server = Server(httpx.ConnectError("refused"))
    with pytest.raises(PrometheusError, match="6 attempts"):
        api(server, retries=5, backoff=1.0, max_delay=3.0).query("up")
    assert server.sleeps == [1.0, 2.0, 3.0, 3.0, 3.0]


def test_no_retries_means_one_attempt() -> None:
    server = Server(httpx.ConnectError("refused"))
    with pytest.raises(PrometheusError, match=r"\(1 attempt\)"):
        api(server, retries=0).query("up")
    assert len(server.requests) == 1
    assert server.sleeps == []


def test_retry_after_in_seconds_replaces_the_back_off() -> None:
    server = Server(httpx.Response(429, headers={"Retry-After": "1.5"}), VECTOR)
    api(server).query("up")
    assert server.sleeps == [1.5]


def test_retry_after_as_an_http_date() -> None:
    when = email.utils.formatdate(time.time() + 3, usegmt=True)
    server = Server(httpx.Response(503, headers={"Retry-After": when}), VECTOR)
    api(server).query("up")
    # An HTTP date has whole seconds, and some time passes before it is read.
    (delay,) = server.sleeps
    assert 1.0 <= delay <= 3.0


def test_a_retry_after_beyond_the_cap_ends_the_retries_at_once() -> None:
    server = Server(httpx.Response(503, headers={"Retry-After": "120"}), VECTOR)
    with pytest.raises(PrometheusError, match="asks to retry after 120 s") as caught:
        api(server, max_delay=5.0).query("up")
    assert caught.value.unreachable
    assert len(server.requests) == 1
    assert server.sleeps == []


def test_an_unusable_retry_after_falls_back_to_the_back_off() -> None:
    server = Server(httpx.Response(503, headers={"Retry-After": "soon"}), VECTOR)
    api(server).query("up")
    assert server.sleeps == [0.2]


def test_a_transient_failure_quotes_the_servers_message() -> None:
    server = Server(error(503, "timeout", "query timed out in expression evaluation"))
    with pytest.raises(PrometheusError, match="query timed out in expression evaluation"):
        api(server, retries=1).query("up")


# --- answers that are final --------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "message"),
    [
        (400, "bad_data", 'invalid parameter "query": 1:5: parse error: unclosed left parenthesis'),
        (422, "execution", "query processing would load too many samples into memory"),
        (500, "internal", "something broke"),
    ],
)
def test_a_refused_query_is_not_retried_and_quotes_prometheus(
    status: int, kind: str, message: str
) -> None:
    server = Server(error(status, kind, message), VECTOR)
    with pytest.raises(PrometheusError) as caught:
        api(server).query("sum(")
    text = str(caught.value)
    assert message in text
    assert "'sum('" in text
    assert URL in text
    assert f"HTTP {status}, {kind}" in text
    assert not caught.value.unreachable
    assert len(server.requests) == 1
    assert server.sleeps == []


def test_an_html_page_is_not_prometheus() -> None:
    page = httpx.Response(200, text="<html>Grafana</html>", headers={"Content-Type": "text/html"})
    server = Server(page)
    with pytest.raises(PrometheusError) as caught:
        api(server).query("up")
    assert str(caught.value) == (
        f"{URL} answered HTTP 200 with text/html, not JSON: is it a Prometheus server?"
    )
    assert not caught.value.unreachable
    assert server.sleeps == []


def test_json_that_is_not_an_api_answer() -> None:
    with pytest.raises(PrometheusError, match="unexpected JSON"):
        api(Server(httpx.Response(200, json=[1, 2]))).query("up")
    with pytest.raises(PrometheusError, match="unexpected data"):
        api(Server(httpx.Response(200, json={"status": "success"}))).query("up")


def test_a_missing_api_path_says_what_came_back() -> None:
    page = httpx.Response(404, text="404 page not found", headers={"Content-Type": "text/plain"})
    with pytest.raises(PrometheusError, match="HTTP 404 with text/plain, not JSON"):
        api(Server(page)).query("up")


def test_a_redirect_names_where_it_points() -> None:
    moved = httpx.Response(302, headers={"Location": "http://prom.test:9090/login"})
    with pytest.raises(
        PrometheusError, match=re.escape("redirects to 'http://prom.test:9090/login'")
    ):
        api(Server(moved)).query("up")


def test_credentials_are_sent_and_a_refusal_says_to_check_them() -> None:
    server = Server(httpx.Response(401, text="Unauthorized"))
    with pytest.raises(PrometheusError, match=r"refused access \(HTTP 401 Unauthorized\)"):
        api(server, auth=httpx.BasicAuth("alice", "s3cret")).query("up")
    assert server.requests[0].headers["Authorization"].startswith("Basic ")


def test_a_url_without_a_scheme_fails_at_once() -> None:
    sleeps: list[float] = []
    client = PrometheusAPI("prom.test:9090", sleep=sleeps.append)
    with pytest.raises(PrometheusError, match=re.escape("prom.test:9090")) as caught:
        client.query("up")
    assert caught.value.unreachable
    assert sleeps == []


def test_a_malformed_url_is_a_prometheus_error() -> None:
    with pytest.raises(
        PrometheusError, match=re.escape("'http://prom.test:port' is not a Prometheus URL")
    ):
        PrometheusAPI("http://prom.test:port")


def test_an_empty_network_error_names_its_kind() -> None:
    with pytest.raises(PrometheusError, match="ReadError"):
        api(Server(httpx.ReadError("")), retries=0).query("up")


@pytest.mark.parametrize(
    "setting",
    [{"retries": -1}, {"backoff": -0.1}, {"timeout": 0.0}, {"max_points": 1}],
)
def test_bad_settings_are_refused(setting: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="bad client settings"):
        PrometheusAPI(URL, **setting)


def test_the_context_manager_closes_the_client() -> None:
    with api(Server(VECTOR)) as client:
        client.query("up")
    with pytest.raises(RuntimeError):
        client.query("up")


# --- range splitting ---------------------------------------------------------------------


class FakeRangeServer:
    """Evaluates two series on the requested grid and refuses, like Prometheus, a range of
    more than 11,000 steps. Series "b" exists only before ``b_until``."""

    def __init__(self, b_until: float) -> None:
        self.b_until = b_until
        self.ranges: list[tuple[float, float, float]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        start, end, step = (float(params[k]) for k in ("start", "end", "step"))
        self.ranges.append((start, end, step))
        if (end - start) / step > 11_000:
            return error(400, "bad_data", "exceeded maximum resolution of 11,000 points")
        times = (start + step * np.arange(math.floor((end - start) / step) + 1)).tolist()
        result = [{"metric": {"s": "a"}, "values": [[t, repr(t / 10)] for t in times]}]
        early = [t for t in times if t < self.b_until]
        if early:
            result.append({"metric": {"s": "b"}, "values": [[t, "1"] for t in early]})
        body = {"status": "success", "data": {"resultType": "matrix", "result": result}}
        return httpx.Response(200, content=json.dumps(body).encode())


def _by_name(series: list[RangeSeries]) -> dict[str, RangeSeries]:
    return {s.labels["s"]: s for s in series}


def test_a_long_range_is_split_on_the_same_grid_and_joined_per_series() -> None:
    start, step, points = 1_600_000_000.0, 15.0, 25_000
    end = start + (points - 1) * step
    fake = FakeRangeServer(b_until=start + 12_000 * step)
    client = PrometheusAPI(URL, transport=httpx.MockTransport(fake))
    series = _by_name(client.query_range("x", start=start, end=end, step=step))
    expected = start + step * np.arange(points)
    np.testing.assert_array_equal(series["a"].timestamps, expected)
    np.testing.assert_array_equal(series["a"].values, expected / 10)
    # "b" appears in the first two parts only: its pieces are joined, nothing is invented.
    np.testing.assert_array_equal(series["b"].timestamps, expected[:12_000])
    assert len(fake.ranges) == 3
    # Consecutive parts touch without overlapping: part i+1 starts one step after part i.
    for (_, end_a, _), (start_b, _, _) in zip(fake.ranges, fake.ranges[1:], strict=False):
        assert start_b == end_a + step
    assert all((e - s) / step < MAX_POINTS_PER_SERIES for s, e, _ in fake.ranges)


@pytest.mark.parametrize(("points", "requests"), [(11_000, 1), (11_001, 2), (22_000, 2)])
def test_the_split_happens_only_above_the_limit(points: int, requests: int) -> None:
    fake = FakeRangeServer(b_until=0)
    client = PrometheusAPI(URL, transport=httpx.MockTransport(fake))
    (a,) = client.query_range("x", start=0, end=(points - 1) * 10, step=10)
    assert a.timestamps.size == points
    assert len(fake.ranges) == requests


def test_an_end_off_the_grid_is_kept_for_the_last_part() -> None:
    fake = FakeRangeServer(b_until=0)
    client = PrometheusAPI(URL, max_points=4, transport=httpx.MockTransport(fake))
    (a,) = client.query_range("x", start=0, end=95, step=10)
    assert a.timestamps.tolist() == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]
    assert fake.ranges == [(0, 30, 10), (40, 70, 10), (80, 95, 10)]


def test_warnings_of_every_part_are_kept() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        start = request.url.params["start"]
        return ok({"resultType": "matrix", "result": []}, [f"part from {start}"])

    client = api(Server(answer), max_points=2)
    assert client.query_range("x", start=0, end=3, step=1) == []
    assert client.last_warnings == ("part from 0", "part from 2")


def test_numpy_times_are_sent_as_plain_numbers() -> None:
    """numpy scalars repr as np.float64(...), which Prometheus cannot parse."""
    seen: list[httpx.QueryParams] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params)
        body = {"status": "success", "data": {"resultType": "matrix", "result": []}}
        return httpx.Response(200, json=body)

    api = PrometheusAPI("http://prom", transport=httpx.MockTransport(handler))
    api.query_range("up", start=np.float64(100.5), end=np.float64(160), step=np.float64(15))
    assert (seen[0]["start"], seen[0]["end"], seen[0]["step"]) == ("100.5", "160.0", "15.0")
