"""The OTLP/HTTP metrics receiver: Claude Code's and the GenAI conventions' metrics pushed
over OTLP (protobuf or JSON) become the catalog's Prometheus families (docs/otlp.md)."""

from ._collector import OtlpCollector
from ._decode import BadPayloadError, Encoding, PayloadTooLargeError, decode_request, gunzip_limited
from ._server import METRICS_PATH, OtlpApp, OtlpReceiver, Outcome
from ._store import HistogramValue, IngestResult, OtlpStore, Refusal, StoreSnapshot

__all__ = [
    "METRICS_PATH",
    "BadPayloadError",
    "Encoding",
    "HistogramValue",
    "IngestResult",
    "OtlpApp",
    "OtlpCollector",
    "OtlpReceiver",
    "OtlpStore",
    "Outcome",
    "PayloadTooLargeError",
    "Refusal",
    "StoreSnapshot",
    "decode_request",
    "gunzip_limited",
]
