"""The one way agentwatch talks HTTP: a client that ignores proxy settings from the
environment, follows no redirect and times out, and the failures every server's client maps
to an error that names the server and its URL."""

from __future__ import annotations

from types import TracebackType
from typing import Any, ClassVar, Self

import httpx

from ._credentials import refused_credentials
from ._errors import ServiceError

__all__ = [
    "Auth",
    "HTTPService",
    "PooledClient",
    "Probe",
    "Response",
    "Transport",
    "http_client",
    "url_problem",
]

#: What a client sends as credentials (a ServiceAccount, or any httpx authentication).
Auth = httpx.Auth
#: What a client sends its requests through: the network, or a stand-in server in tests.
Transport = httpx.BaseTransport
Response = httpx.Response


def http_client(
    base_url: str = "",
    *,
    timeout: float,
    auth: Auth | None = None,
    transport: Transport | None = None,
) -> httpx.Client:
    """A client for one server (``base_url``) or for whole URLs. Raises httpx.InvalidURL for a
    ``base_url`` that is not one.

    trust_env=False: the servers agentwatch talks to are its own, mostly on loopback, and an
    HTTP_PROXY or HTTPS_PROXY without a NO_PROXY for them would send every request, with the
    service account's password, to the proxy. No redirects: a server that moved is named in an
    error, the credentials are not sent on to wherever it points.
    """
    return httpx.Client(
        base_url=base_url,
        timeout=timeout,
        auth=auth,
        trust_env=False,
        follow_redirects=False,
        transport=transport,
    )


def url_problem(url: str) -> str | None:
    """Why ``url`` is not an http:// or https:// URL with a host, or None when it is one."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"not a URL ({exc})"
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return "expected an http:// or https:// URL with a host"
    return None


class PooledClient:
    """Owns one httpx client (its connection pool) and closes it: with ``with``, or close()."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class HTTPService(PooledClient):
    """The client of one server at ``url``: each failure to get an answer, a redirect and a
    refusal of the credentials become ``error`` with a message naming ``name`` and the URL.
    ``transport`` exists for tests."""

    #: The server's name in messages ("Prometheus"), and what a bad URL is not.
    name: ClassVar[str]
    url_kind: ClassVar[str]
    error: ClassVar[type[ServiceError]] = ServiceError

    def __init__(
        self,
        url: str,
        *,
        timeout: float,
        auth: Auth | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._auth = auth
        try:
            client = http_client(self.url, timeout=timeout, auth=auth, transport=transport)
        except httpx.InvalidURL as exc:
            # The service's error, so that a command that reports those reports this too.
            raise self.error(f"{url!r} is not {self.url_kind}: {exc}") from None
        super().__init__(client)

    def _send(self, method: str, path: str, **kwargs: Any) -> Response:
        """The server's answer to one request, whatever its status; ``error`` when none came."""
        try:
            return self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            message = (
                f"{self.name} at {self.url} did not answer in time (timeout {self.timeout:g} s)"
            )
            raise self._unreachable(exc, message, transient=True) from None
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            # Refused, reset, or closed before the answer: the server may be restarting.
            message = f"cannot reach {self.name} at {self.url}: {str(exc) or type(exc).__name__}"
            raise self._unreachable(exc, message, transient=True) from None
        except httpx.TransportError as exc:
            # Retrying cannot help, e.g. a URL without http:// or https://.
            message = f"cannot reach {self.name} at {self.url}: {str(exc) or type(exc).__name__}"
            raise self._unreachable(exc, message, transient=False) from None

    def _unreachable(self, exc: Exception, message: str, *, transient: bool) -> ServiceError:
        """The error for a request that got no answer (``exc``); a client whose users need
        other advice words its own."""
        return self.error(message, unreachable=True, transient=transient)

    def _check_access(self, response: Response) -> None:
        """``error`` for a redirect (it is not followed) or a refusal of the credentials."""
        status = response.status_code
        if response.is_redirect:
            raise self.error(
                f"{self.name} at {self.url} redirects to {response.headers.get('Location')!r} "
                f"(HTTP {status}): use that URL"
            )
        if status in (401, 403):
            raise self.error(
                f"{self.name} at {self.url} refused access (HTTP {status} "
                f"{response.reason_phrase}): {refused_credentials(self._auth)}"
            )


class Probe(PooledClient):
    """GETs of whole URLs, each answered with the response or a short reason why there is none,
    for health checks that report rather than raise."""

    def __init__(self, *, timeout: float, auth: Auth | None = None) -> None:
        super().__init__(http_client(timeout=timeout, auth=auth))

    def get_ok(self, url: str) -> Response | str:
        """The 200 answer from ``url``, else a short reason such as ``HTTP 503``."""
        try:
            response = self._client.get(url)
        except httpx.ConnectError:
            return "connection refused"
        except httpx.TimeoutException:
            return "no answer (timed out)"
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        return response
