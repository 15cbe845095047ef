"""Conversion rules: cumulative runs and resets, refusals, the cardinality cap, labels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from agentwatch.catalog import OTLP_SOURCES, OtlpKind
from agentwatch.exporters.otlp import OtlpStore, Refusal
from agentwatch.security import Pseudonymizer
from agentwatch.spec import DEFAULT_HASHED_LABELS, OtlpReceiverSettings
from tests.unit.tools import check_metrics

from .conftest import (
    CUMULATIVE,
    SECOND,
    exposition,
    hist_metric,
    hist_point,
    number,
    request,
    sum_metric,
    value,
)

COMMITS = "claude_code_commit_count_total"


def _cumulative(store: OtlpStore, v: float, *, start: int, time: int, **attrs: str) -> None:
    point = number(v, attrs, start=start * SECOND, time=time * SECOND)
    store.ingest(request(sum_metric("claude_code.commit.count", [point], temporality=CUMULATIVE)))


def test_cumulative_points_become_increases(store: OtlpStore) -> None:
    for t, v in enumerate((2, 4, 4, 9), start=2):
        _cumulative(store, v, start=1, time=t)
    assert value(store, COMMITS) == 9


def test_a_new_start_time_is_a_new_run_and_the_counter_keeps_growing(store: OtlpStore) -> None:
    _cumulative(store, 5, start=1, time=2)
    _cumulative(store, 8, start=1, time=3)
    _cumulative(store, 3, start=10, time=11)  # the process restarted: 3 since its new start
    _cumulative(store, 4, start=10, time=12)
    assert value(store, COMMITS) == 12


def test_a_lower_value_without_a_start_time_is_a_reset(store: OtlpStore) -> None:
    _cumulative(store, 5, start=0, time=2)
    _cumulative(store, 2, start=0, time=3)
    assert value(store, COMMITS) == 7


def test_late_and_repeated_cumulative_points_do_not_count_twice(store: OtlpStore) -> None:
    _cumulative(store, 5, start=10, time=12)
    _cumulative(store, 5, start=10, time=12)  # a retried export
    _cumulative(store, 3, start=10, time=11)  # older than what was received
    _cumulative(store, 1, start=5, time=6)  # a run older than the current one
    assert value(store, COMMITS) == 5
    assert value(store, "otlp_receiver_data_points_total", outcome="out_of_order") == 2


def test_streams_are_told_apart_by_dropped_attributes_too(store: OtlpStore) -> None:
    # Two sessions exporting cumulatively: the same served series, two streams.
    for t in range(2, 5):
        _cumulative(store, t, start=1, time=t, **{"session.id": "a"})
        _cumulative(store, 10 * t, start=1, time=t, **{"session.id": "b"})
    assert value(store, COMMITS) == 4 + 40


def test_idle_streams_are_forgotten() -> None:
    now = [0.0]
    store = OtlpStore(OtlpReceiverSettings(stream_idle_seconds=60), clock=lambda: now[0])
    _cumulative(store, 5, start=1, time=2)
    now[0] = 61.0
    _cumulative(store, 0, start=100, time=101, **{"session.id": "other"})  # triggers expiry
    assert len(store._streams) == 1
    assert value(store, COMMITS) == 5


def test_cumulative_histograms_become_increases_with_resets(
    store: OtlpStore, promtool: Path
) -> None:
    bounds = (1.0, 5.0)

    def send(counts: tuple[int, int, int], total: float, start: int, time: int) -> None:
        point = hist_point(bounds, counts, total, start=start * SECOND, time=time * SECOND)
        metric = hist_metric("gen_ai.client.operation.duration", [point], temporality=CUMULATIVE)
        store.ingest(request(metric))

    send((1, 0, 0), 0.5, 1, 2)
    send((1, 2, 0), 6.5, 1, 3)
    send((0, 1, 0), 2.0, 9, 10)  # restarted
    name = "gen_ai_client_operation_duration_seconds"
    assert value(store, name + "_count") == 4
    assert value(store, name + "_sum") == 8.5
    assert value(store, name + "_bucket", le="1.0") == 1
    assert value(store, name + "_bucket", le="5.0") == 4
    check_metrics(promtool, exposition(store))


def test_other_bucket_bounds_for_a_series_are_refused(store: OtlpStore) -> None:
    first = hist_point((1.0, 5.0), (1, 1, 1), 10.0)
    other = hist_point((2.0, 5.0), (1, 1, 1), 10.0)
    result = store.ingest(request(hist_metric("gen_ai.client.operation.duration", [first, other])))
    assert result.refused == {Refusal.BUCKET_MISMATCH: 1}
    assert "differ from the bounds the series was first given" in result.error_message()


@pytest.mark.parametrize(
    ("point", "reason"),
    [
        (hist_point((5.0, 1.0), (1, 1, 1), 3.0), "bucket bounds must increase"),
        (hist_point((1.0, float("nan")), (1, 1, 1), 3.0), "bounds must be finite"),
        (hist_point((1.0,), (1, 1, 1), 3.0), "3 bucket counts for 1 bounds"),
        (hist_point((1.0,), (1, 1), -3.0), "sum -3.0"),
    ],
)
def test_malformed_histogram_points_are_refused(
    store: OtlpStore, point: object, reason: str
) -> None:
    metric = hist_metric("gen_ai.client.operation.duration", [point])  # type: ignore[list-item]
    result = store.ingest(request(metric))
    assert result.refused == {Refusal.INVALID_VALUE: 1}
    assert reason in result.error_message()


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1.0, -5])
def test_nan_inf_and_negative_counter_points_are_refused(store: OtlpStore, bad: float) -> None:
    result = store.ingest(request(sum_metric("claude_code.commit.count", [number(bad)])))
    assert result.refused == {Refusal.INVALID_VALUE: 1}
    assert value(store, COMMITS) is None


def test_wrong_types_temporalities_and_units_are_refused(store: OtlpStore) -> None:
    gauge = sum_metric("claude_code.cost.usage", [number(1.0)], unit="USD")
    gauge.ClearField("sum")
    gauge.gauge.data_points.extend([number(1.0), number(2.0)])
    result = store.ingest(
        request(
            gauge,
            sum_metric("claude_code.cost.usage", [number(1.0)], monotonic=False),
            sum_metric("claude_code.cost.usage", [number(1.0)], temporality=0),
            sum_metric("claude_code.active_time.total", [number(1.0)], unit="ms"),
            hist_metric("claude_code.commit.count", [hist_point((), (1,), 1.0)]),
        )
    )
    assert result.refused == {
        Refusal.UNSUPPORTED_TYPE: 4,
        Refusal.UNSUPPORTED_TEMPORALITY: 1,
        Refusal.UNIT_MISMATCH: 1,
    }
    assert "claude_code.active_time.total in unit 'ms'" in result.error_message()
    assert result.accepted == 0


def test_the_series_cap_refuses_new_series_and_keeps_old_ones() -> None:
    store = OtlpStore(OtlpReceiverSettings(max_series=3))
    points = [number(1, {"terminal.type": f"t{i}"}) for i in range(5)]
    result = store.ingest(request(sum_metric("claude_code.commit.count", points)))
    assert (result.accepted, result.refused) == (3, {Refusal.SERIES_LIMIT: 2})
    again = store.ingest(request(sum_metric("claude_code.commit.count", points)))
    assert (again.accepted, again.refused) == (3, {Refusal.SERIES_LIMIT: 2})
    assert value(store, COMMITS, terminal_type="t0") == 2
    assert value(store, "otlp_receiver_series") == 3
    assert "limit of 3 series (otlp_receiver.max_series)" in result.error_message()


def test_the_stream_cap_refuses_new_cumulative_streams() -> None:
    store = OtlpStore(OtlpReceiverSettings(max_streams=2))
    for session in "abc":
        _cumulative(store, 1, start=1, time=2, **{"session.id": session})
    assert value(store, COMMITS) == 2
    assert value(store, "otlp_receiver_data_points_total", outcome="stream_limit") == 1


def test_labels_come_from_point_then_resource_attributes_and_dropped_ones_stay_empty() -> None:
    store = OtlpStore(OtlpReceiverSettings(drop_attributes=("model", "user.email")))
    point = number(3, {"type": "input", "model": "opus", "user.email": "x@y", "flag": True})
    store.ingest(
        request(
            sum_metric("claude_code.token.usage", [point], unit="tokens"),
            resource={"terminal.type": "tmux"},
        )
    )
    text = exposition(store)
    assert (
        'claude_code_token_usage_tokens_total{model="",query_source="",service_name="claude-code",'
        'terminal_type="tmux",type="input"} 3.0'
    ) in text
    assert "x@y" not in text


def test_too_long_label_values_are_refused() -> None:
    store = OtlpStore(OtlpReceiverSettings(max_label_value_chars=10))
    result = store.ingest(
        request(sum_metric("claude_code.commit.count", [number(1)]), service="s" * 11)
    )
    assert result.refused == {Refusal.LABEL_TOO_LONG: 1}


def test_catalog_names_follow_the_documented_rule() -> None:
    """docs/otlp.md: lower case, runs of other characters → one underscore, a unit in braces
    or a count unit adds nothing, s → seconds, a sum's trailing "total" is moved after the unit,
    and a sum ends in _total once."""
    units = {"s": "seconds", "USD": "usd", "tokens": "tokens"}
    for source in OTLP_SOURCES:
        name = re.sub(r"[^a-z0-9]+", "_", source.otel_name.lower()).strip("_")
        if source.kind is OtlpKind.SUM:
            name = name.removesuffix("_total")
        unit = units.get(source.units[0], "")
        if unit and not name.endswith("_" + unit):
            name += "_" + unit
        if source.kind is OtlpKind.SUM:
            name += "_total"
        assert source.family.name == name, source.otel_name


def test_settings_are_validated_with_clear_messages() -> None:
    with pytest.raises(ValidationError, match="not an attribute key"):
        OtlpReceiverSettings(drop_attributes=("user email",))
    with pytest.raises(ValidationError, match=r"listed more than once: session\.id"):
        OtlpReceiverSettings(drop_attributes=("session.id", "session.id"))
    with pytest.raises(ValidationError, match="smaller than max_body_bytes"):
        OtlpReceiverSettings(max_body_bytes=10_000, max_decompressed_bytes=5_000)
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        OtlpReceiverSettings(max_series=0)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        OtlpReceiverSettings.model_validate({"max_serie": 3})
    dropped = OtlpReceiverSettings().drop_attributes
    # Sessions and organisations feed no label; the user attributes feed `user`, hashed.
    assert {"session.id", "organization.id"} <= set(dropped)
    assert not {"user.email", "user.id", "user.account_uuid"} & set(dropped)


_KEY = "p" * 32
SESSIONS = "claude_code_session_count_total"


def _sessions(store: OtlpStore, attributes: dict[str, object], **resource: str) -> None:
    metric = sum_metric("claude_code.session.count", [number(1, attributes)])
    store.ingest(request(metric, resource=resource))


def test_the_user_label_is_the_pseudonym_of_the_first_user_attribute_found(promtool: Path) -> None:
    pseudonymizer = Pseudonymizer(_KEY, DEFAULT_HASHED_LABELS)
    store = OtlpStore(pseudonymizer=pseudonymizer)
    # user.account_uuid is in no list of hashed keys: it is hashed because it feeds `user`.
    assert "user.account_uuid" not in DEFAULT_HASHED_LABELS
    _sessions(store, {"user.account_uuid": "acct-1", "user.email": "ada@example.com"})
    _sessions(store, {"user.id": 42})
    _sessions(store, {}, **{"user.email": "bob@example.com"})  # from the resource
    _sessions(store, {"terminal.type": "tmux"})
    text = exposition(store)
    for raw in ("acct-1", "ada@example.com", "bob@example.com"):
        assert raw not in text
    for shown in ("acct-1", "42", "bob@example.com"):
        assert value(store, SESSIONS, user=pseudonymizer.pseudonym(shown)) == 1
    assert value(store, SESSIONS, user="", terminal_type="tmux") == 1
    check_metrics(promtool, text)


def test_a_user_label_left_off_the_list_is_served_as_sent() -> None:
    # The operator's choice: `user` not hashed, nor its sources; user.email still is.
    names = tuple(n for n in DEFAULT_HASHED_LABELS if n != "user")
    store = OtlpStore(pseudonymizer=Pseudonymizer(_KEY, names))
    _sessions(store, {"user.account_uuid": "acct-1"})
    _sessions(store, {"user.email": "ada@example.com"})
    assert value(store, SESSIONS, user="acct-1") == 1
    assert "ada@example.com" not in exposition(store)


def test_a_key_both_dropped_and_hashed_is_dropped() -> None:
    pseudonymizer = Pseudonymizer(_KEY, DEFAULT_HASHED_LABELS)
    store = OtlpStore(
        OtlpReceiverSettings(drop_attributes=("user.email",)), pseudonymizer=pseudonymizer
    )
    _sessions(store, {"user.email": "ada@example.com"})
    assert value(store, SESSIONS, user="") == 1


def test_streams_apart_by_a_hashed_attribute_stay_apart() -> None:
    store = OtlpStore(pseudonymizer=Pseudonymizer(_KEY, DEFAULT_HASHED_LABELS))
    for email in ("ada@example.com", "bob@example.com"):
        for t, v in ((2, 3), (3, 5)):
            _cumulative(store, v, start=1, time=t, **{"user.email": email})
    # Two runs of 5, not one run that went 3, 5, 3 (a reset) and 5.
    assert value(store, COMMITS) == 10
    assert len(store._streams) == 2
