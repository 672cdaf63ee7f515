"""Per-call registry credentials as docker-py passes them: `auth={"identitytoken": …}` is an OAuth2 refresh
token the daemon exchanges at the registry's token service (Docker's token spec), never sent as a password.

Debian's docker-registry has no token service, so a small front stands in for one: it challenges with
`Bearer realm=…/token`, answers the refresh-token grant with an access token, and passes requests bearing
that token on to the real registry (adding the registry's basic auth)."""

from __future__ import annotations

import base64
import http.server
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Iterator, List

import pytest

import imaged
from conftest import PASSWORD, USER

IDENTITY_TOKEN = "refresh-7f3c"
ACCESS_TOKEN = "access-91ab"


class TokenFront:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.grants: List[dict] = []
        self.basic_seen = False
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                if self.path.startswith("/token"):
                    form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                    front.grants.append({k: v[0] for k, v in form.items()})
                    ok = form.get("grant_type") == ["refresh_token"] and form.get("refresh_token") == [IDENTITY_TOKEN]
                    body = f'{{"access_token": "{ACCESS_TOKEN}", "expires_in": 300}}' if ok else '{"error": "denied"}'
                    self._answer(200 if ok else 401, body.encode(), {"Content-Type": "application/json"})
                else:
                    self._proxy()

            def do_GET(self) -> None:
                self._proxy()

            def do_HEAD(self) -> None:
                self._proxy()

            def _answer(self, status: int, body: bytes, headers: dict) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _proxy(self) -> None:
                auth = self.headers.get("Authorization", "")
                front.basic_seen |= auth.startswith("Basic")
                if auth != f"Bearer {ACCESS_TOKEN}":
                    realm = f"http://127.0.0.1:{front.port}/token"
                    self._answer(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                                 {"WWW-Authenticate": f'Bearer realm="{realm}",service="front"'})
                    return
                req = urllib.request.Request(f"http://{front.upstream}{self.path}", method=self.command)
                for h in ("Accept", "Range"):
                    if self.headers.get(h):
                        req.add_header(h, self.headers[h])
                req.add_header("Authorization", "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
                try:
                    resp = urllib.request.urlopen(req)
                except urllib.error.HTTPError as e:
                    resp = e
                body = resp.read() if self.command != "HEAD" else b""
                keep = ("Content-Type", "Docker-Content-Digest", "Content-Range")
                headers = {k: v for k, v in resp.headers.items() if k in keep}
                self.send_response(resp.status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", resp.headers.get("Content-Length", str(len(body))))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture()
def front(registry: str) -> Iterator[TokenFront]:
    f = TokenFront(registry)
    yield f
    f.server.shutdown()


def test_an_identity_token_is_exchanged_at_the_token_service(daemon, busybox: str, registry: str,
                                                              front: TokenFront) -> None:
    c = imaged.Client(daemon.host)
    c.tag(busybox, f"{registry}/py/tok:1")
    c.push(f"{registry}/py/tok:1", auth=(USER, PASSWORD))
    ref = f"127.0.0.1:{front.port}/py/tok:1"
    with pytest.raises(imaged.Unauthenticated):
        c.pull(ref, auth={"identitytoken": "not-the-token"})
    img = c.pull(ref, auth={"identitytoken": IDENTITY_TOKEN})
    assert img.id == c.inspect(busybox).id
    good = [g for g in front.grants if g.get("refresh_token") == IDENTITY_TOKEN]
    assert good and good[0]["grant_type"] == "refresh_token" and good[0]["service"] == "front"
    assert "repository:py/tok:pull" in good[0]["scope"], good[0]
    assert not front.basic_seen, "the identity token was sent as a password"
    # docker-py's spelling of the same, through the object layer.
    image = c.images.pull(f"127.0.0.1:{front.port}/py/tok", tag="1", auth_config={"IdentityToken": IDENTITY_TOKEN})
    assert isinstance(image, imaged.Image) and image.id == img.id
