"""Bad input: every unsafe request without the CSRF token, oversized and malformed bodies,
path traversal, header injection and open redirects, password guessing. Each is refused with
a 4xx and counted in agentwatch_console_rejected_requests_total{reason}; every response
carries the security headers. Raw paths go to a real uvicorn on a free loopback port (an HTTP
client would normalise ``..`` away before sending). Stand-in Prometheus/Alertmanager (see
conftest)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from agentwatch.console import MAX_BODY_BYTES, create_app, listen
from agentwatch.console._app import LOGIN_LOCKOUT
from agentwatch.security import Role, Secrets, basic_header
from agentwatch.spec import parse_spec

from .conftest import MakeClient, Setup, TestClient, csrf_of, log_in
from .test_access import metric

HEADERS = {
    "content-security-policy": "default-src 'self'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def rejected(client: TestClient, setup: Setup, reason: str) -> float:
    return metric(client, setup, "agentwatch_console_rejected_requests_total", reason=reason)


def assert_secure_headers(response: httpx.Response) -> None:
    for name, start in HEADERS.items():
        assert response.headers.get(name, "").startswith(start), (name, response.status_code)


# CSRF


@pytest.mark.parametrize("token", [None, "", "0" * 64, "forged"])
def test_a_post_without_the_sessions_csrf_token_is_403(
    client: TestClient, setup: Setup, token: str | None
) -> None:
    fingerprint = setup.alertmanager.add_alert(alertname="AgentDown")
    log_in(client, setup, Role.ADMIN)
    data = {"fingerprint": fingerprint} | ({} if token is None else {"csrf_token": token})
    response = client.post("/alerts/ack", data=data)
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert setup.alertmanager.posted == []
    assert rejected(client, setup, "csrf") == 1


def test_another_sessions_token_does_not_do(make_client: MakeClient, setup: Setup) -> None:
    first, second = make_client(), make_client()
    stolen = log_in(first, setup, Role.ADMIN)
    log_in(second, setup, Role.ADMIN)
    response = second.post("/silences/expire", data={"csrf_token": stolen, "silence_id": "x"})
    assert response.status_code == 403


def test_json_and_delete_need_the_token_in_the_header(client: TestClient, setup: Setup) -> None:
    header = {"Authorization": basic_header("admin", setup.password(Role.ADMIN))}
    body = {"matchers": [{"name": "a", "value": "b"}], "duration": "1h", "comment": "c"}
    assert client.post("/api/silences", headers=header, json=body).status_code == 403
    silence = "0b7a4e1a-1111-4222-8333-944455556666"
    assert client.delete(f"/api/silences/{silence}", headers=header).status_code == 403
    assert rejected(client, setup, "csrf") == 2
    assert setup.alertmanager.posted == []


def test_the_login_form_has_its_own_csrf_token(client: TestClient, setup: Setup) -> None:
    client.get("/login")
    response = client.post(
        "/login",
        data={"username": "admin", "password": setup.password(Role.ADMIN), "csrf_token": "x"},
    )
    assert response.status_code == 403
    assert "agentwatch_session" not in response.headers.get("set-cookie", "")
    # Without the login page's nonce cookie (a post from another site), a token is useless.
    token = csrf_of(client.get("/login").text)
    client.cookies.clear()
    response = client.post(
        "/login",
        data={"username": "admin", "password": setup.password(Role.ADMIN), "csrf_token": token},
    )
    assert response.status_code == 403
    assert rejected(client, setup, "csrf") == 2


# Size


def test_a_body_over_the_limit_is_413_by_its_announced_length(
    client: TestClient, setup: Setup
) -> None:
    response = client.post(
        "/login",
        content=b"a=" + b"x" * MAX_BODY_BYTES,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert_secure_headers(response)
    assert rejected(client, setup, "oversized") == 1


def test_a_chunked_body_over_the_limit_is_413_too(client: TestClient, setup: Setup) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b"x" * 1024

    response = client.post(
        "/login", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413
    assert rejected(client, setup, "oversized") == 1


# Malformed


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"\xff\xfe=\x00", "application/x-www-form-urlencoded", 400),  # not UTF-8
        (b"fingerprint=a&fingerprint=b", "application/x-www-form-urlencoded", 400),  # twice
        (b"===&&=", "application/x-www-form-urlencoded", 400),
        (b"--x\r\n", "multipart/form-data; boundary=x", 415),
        (b'{"fingerprint": "a"}', "application/json", 415),
    ],
)
def test_a_form_that_does_not_parse_is_refused_as_malformed(
    client: TestClient, setup: Setup, content: bytes, content_type: str, status: int
) -> None:
    log_in(client, setup, Role.ADMIN)
    response = client.post("/alerts/ack", content=content, headers={"Content-Type": content_type})
    assert response.status_code == status
    assert rejected(client, setup, "malformed") == 1


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        b'{"matchers": "alertname=x", "duration": "1h", "comment": "c"}',
        b'{"matchers": [{"name": "a", "value": 1}], "duration": "1h", "comment": "c"}',
        b'{"matchers": [{"name": "a", "value": "b"}], "duration": 3600, "comment": "c"}',
        b'{"matchers": [{"name": "a", "value": "b"}], "duration": "forever", "comment": "c"}',
        b'{"matchers": [{"name": "a", "value": "b"}], "duration": "90d", "comment": "c"}',
        b'{"matchers": [{"name": "a", "value": "b"}], "duration": "1h", "comment": ""}',
        b'{"matchers": [{"name": "a", "value": "b", "isRegex": "yes"}], "duration": "1h", '
        b'"comment": "c"}',
    ],
)
def test_json_that_does_not_say_what_a_silence_needs_is_400(
    client: TestClient, setup: Setup, body: bytes
) -> None:
    header = {"Authorization": basic_header("admin", setup.password(Role.ADMIN))}
    csrf = client.get("/api/session", headers=header).json()["csrf_token"]
    response = client.post(
        "/api/silences",
        content=body,
        headers={**header, "X-CSRF-Token": csrf, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["reason"] == "malformed"
    assert rejected(client, setup, "malformed") == 1
    assert setup.alertmanager.posted == []


def test_a_silence_form_with_a_missing_field_or_bad_duration_is_400(
    client: TestClient, setup: Setup
) -> None:
    fingerprint = setup.alertmanager.add_alert(alertname="AgentDown")
    csrf = log_in(client, setup, Role.ADMIN)
    missing = client.post("/alerts/silence", data={"csrf_token": csrf, "fingerprint": fingerprint})
    assert missing.status_code == 400
    assert "'duration'" in missing.text
    bad = client.post(
        "/alerts/silence",
        data={"csrf_token": csrf, "fingerprint": fingerprint, "duration": "-1h", "comment": "x"},
    )
    assert bad.status_code == 400
    control = client.post(
        "/alerts/silence",
        data={
            "csrf_token": csrf,
            "fingerprint": fingerprint,
            "duration": "1h",
            "comment": "one\r\nInjected: yes",
        },
    )
    assert control.status_code == 400
    assert rejected(client, setup, "malformed") == 3
    assert setup.alertmanager.posted == []


# Header injection and open redirects


@pytest.mark.parametrize(
    "target",
    [
        "/overview\r\nSet-Cookie: evil=1",
        "/x\nLocation: https://evil.example",
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "javascript:alert(1)",
        "overview",
    ],
)
def test_a_login_redirect_elsewhere_or_with_cr_lf_is_refused(
    client: TestClient, setup: Setup, target: str
) -> None:
    page = client.get("/login", params={"next": target})
    assert page.status_code == 400
    assert_secure_headers(page)
    csrf = csrf_of(client.get("/login").text)
    posted = client.post(
        "/login",
        data={
            "username": "admin",
            "password": setup.password(Role.ADMIN),
            "csrf_token": csrf,
            "next": target,
        },
    )
    assert posted.status_code == 400
    assert "location" not in posted.headers
    assert "evil" not in "".join(posted.headers.values())
    assert rejected(client, setup, "header_injection") == 2


@pytest.mark.parametrize(
    "target",
    [
        "/alerts?done=silenced%0d%0aSet-Cookie:%20x=1&silence=1",
        "/overview%0d%0aSet-Cookie:%20x=1",
        "/overview?x=%00",
    ],
)
def test_cr_lf_anywhere_in_the_target_is_refused(
    client: TestClient, setup: Setup, target: str
) -> None:
    response = client.get(target)
    assert response.status_code == 400
    assert "set-cookie" not in response.headers
    assert "location" not in response.headers
    assert rejected(client, setup, "header_injection") == 1


def test_a_login_redirect_to_a_path_is_followed_with_its_query(
    client: TestClient, setup: Setup
) -> None:
    csrf = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "username": "admin",
            "password": setup.password(Role.ADMIN),
            "csrf_token": csrf,
            "next": "/alerts?done=expired",
        },
    )
    assert response.headers["location"] == "/alerts?done=expired"


# Password guessing


def test_a_client_that_keeps_failing_is_rate_limited(client: TestClient, setup: Setup) -> None:
    csrf = csrf_of(client.get("/login").text)
    guess = {"username": "admin", "password": "wrong", "csrf_token": csrf}
    for _ in range(LOGIN_LOCKOUT):
        assert client.post("/login", data=guess).status_code == 401
    limited = client.post("/login", data=guess)
    assert limited.status_code == 429
    # Even the right password waits out the window: the guesser cannot tell it was right.
    right = client.post("/login", data={**guess, "password": setup.password(Role.ADMIN)})
    assert right.status_code == 429
    assert rejected(client, setup, "rate_limited") == 2
    assert metric(client, setup, "agentwatch_console_logins_total", outcome="failure") == (
        LOGIN_LOCKOUT
    )


# Security headers


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/login"),
        ("GET", "/overview"),  # 303 to the login page
        ("GET", "/api/overview"),  # 401
        ("GET", "/healthz"),
        ("GET", "/static/console.css"),
        ("GET", "/static/nothing.css"),  # 404
        ("GET", "/no/such/page"),  # 404
        ("DELETE", "/login"),  # 405
        ("POST", "/logout"),
    ],
)
def test_every_response_carries_the_security_headers(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path)
    assert_secure_headers(response)
    if not path.startswith("/static/console"):
        assert response.headers["cache-control"] == "no-store"


def test_logged_in_pages_carry_them_too(client: TestClient, setup: Setup) -> None:
    log_in(client, setup, Role.ADMIN)
    for path in ("/overview", "/alerts", "/slos", "/capacity", "/flow", "/business", "/config"):
        response = client.get(path)
        assert response.status_code == 200
        assert_secure_headers(response)


# Path traversal, on a real server (raw request targets)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, Secrets]]:
    secrets = Secrets.generate()
    app = create_app(
        parse_spec({}),
        prometheus_url="http://127.0.0.1:9",
        alertmanager_url="http://127.0.0.1:9",
        secrets=secrets,
    )
    sock = listen("127.0.0.1", 0)
    config = uvicorn.Config(app, log_level="error", access_log=False, lifespan="on")
    uvi = uvicorn.Server(config)
    thread = threading.Thread(target=uvi.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uvi.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield sock.getsockname()[1], secrets
    finally:
        uvi.should_exit = True
        thread.join(timeout=10)


def raw_get(port: int, target: str) -> tuple[int, str]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        conn.sendall(request.encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    return int(head.split(" ", 2)[1]), head


TRAVERSALS = [
    "/static/../../etc/passwd",
    "/static/..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/%2e%2e/etc/passwd",
    "/static/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/static/%252e%252e/%252e%252e/etc/passwd",
    "/static/..\\..\\etc\\passwd",
    "/static/..%5c..%5cetc%5cpasswd",
    "/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/static/console.css%00.png",
    "/static/./../console.css",
    "/../../etc/passwd",
]


def test_path_traversal_in_every_spelling_is_404_and_counted(
    server: tuple[int, Secrets],
) -> None:
    port, secrets = server
    for target in TRAVERSALS:
        status, head = raw_get(port, target)
        assert status == 404, target
        assert "root:" not in head
        assert "x-frame-options: deny" in head.lower()
    ok, _ = raw_get(port, "/static/console.css")
    assert ok == 200
    metrics = httpx.get(
        f"http://127.0.0.1:{port}/metrics",
        headers={"Authorization": f"Bearer {secrets.scrape_token}"},
    ).text
    assert (
        f'agentwatch_console_rejected_requests_total{{reason="path_traversal"}} '
        f"{float(len(TRAVERSALS))}"
    ) in metrics
