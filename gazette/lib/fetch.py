"""Outgoing HTTP requests to addresses a stranger chose, made safely.

A webmention names a page for Gazette to fetch, and a post links to pages
Gazette notifies: in both cases the address comes from outside, so a request
must never reach the machine's own services or the private network behind it
(server-side request forgery). Every request here:

* speaks only http and https, to a host name or address without credentials;
* resolves the host itself, refuses the request if any address it resolves to
  is private, loopback, link-local, multicast, reserved or unspecified, and then
  connects to the very address it checked, so that a second DNS answer cannot
  swap in another one (DNS rebinding);
* follows at most MAX_REDIRECTS redirects (GET only), each checked the same way;
* gives up after CONNECT_TIMEOUT seconds to connect and TOTAL_TIMEOUT seconds in
  all, and stops reading past `max_bytes`.

settings.GAZETTE_FETCH_ALLOW_LOOPBACK lets loopback addresses through (never
private ones), for tests that play a remote site on 127.0.0.1.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlencode, urljoin, urlsplit

from django.conf import settings

CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 10.0
MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "Gazette (+webmention)"
_CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """The request could not be made or finished; the message says why."""


class Refused(FetchError):
    """The address is not one Gazette may reach (scheme, host or network)."""


class TooLarge(FetchError):
    """The answer is larger than the caller accepts."""


@dataclass
class Response:
    url: str  # after redirects
    status: int
    headers: Message
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get_content_type()

    def header_values(self, name: str) -> list[str]:
        return list(self.headers.get_all(name) or [])

    def text(self) -> str:
        charset = self.headers.get_content_charset() or "utf-8"
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.body.decode("utf-8", errors="replace")


def get(
    url: str, *, max_bytes: int = MAX_BYTES, headers: dict[str, str] | None = None
) -> Response:
    """GET `url`, following up to MAX_REDIRECTS redirects, each one checked.
    Raises FetchError (Refused, TooLarge) instead of answering."""
    deadline = time.monotonic() + TOTAL_TIMEOUT
    for _ in range(MAX_REDIRECTS + 1):
        response = _request("GET", url, None, headers or {}, max_bytes, deadline)
        location = response.headers.get("Location")
        if response.status not in _REDIRECTS or not location:
            return response
        url = urljoin(url, location.strip())
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def post(url: str, data: dict[str, str], *, max_bytes: int = 64 * 1024) -> Response:
    """POST `data` form-encoded to `url`; a redirect is answered, not followed."""
    deadline = time.monotonic() + TOTAL_TIMEOUT
    body = urlencode(data).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return _request("POST", url, body, headers, max_bytes, deadline)


def post_bytes(
    url: str, body: bytes, headers: dict[str, str], *, max_bytes: int = 64 * 1024
) -> Response:
    """POST `body` as it is, with `headers` (a signed ActivityPub delivery);
    a redirect is answered, not followed."""
    deadline = time.monotonic() + TOTAL_TIMEOUT
    return _request("POST", url, body, headers, max_bytes, deadline)


def check_address(address: str) -> None:
    """Raise Refused unless `address` (an IP address) may be reached."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback and getattr(settings, "GAZETTE_FETCH_ALLOW_LOOPBACK", False):
        return
    if (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    ):
        raise Refused(f"{ip} is not a public address")


def _target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of an address Gazette may ask."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused(f"not a valid address: {error}") from error
    if parts.scheme not in ("http", "https"):
        raise Refused("only http and https addresses are fetched")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise Refused("the address has no host, or carries credentials")
    port = port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port, path


def _resolve(host: str, port: int) -> str:
    """The address to connect to, once every address of `host` is checked."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchError(f"cannot resolve {host}: {error}") from error
    addresses = [info[4][0] for info in found]
    if not addresses:
        raise FetchError(f"{host} has no address")
    for address in addresses:
        check_address(str(address))
    return str(addresses[0])


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name resolves to now."""

    # http.client closes the socket as soon as it sees a closing answer; it is
    # kept until the body is read, so that each read's timeout can be set.
    is_reading = True

    def __init__(self, host: str, port: int, address: str) -> None:
        super().__init__(host, port, timeout=CONNECT_TIMEOUT)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)

    def close(self) -> None:
        if not self.is_reading:
            super().close()


class _PinnedHTTPS(http.client.HTTPSConnection):
    is_reading = True

    def __init__(self, host: str, port: int, address: str) -> None:
        super().__init__(
            host, port, timeout=CONNECT_TIMEOUT, context=ssl.create_default_context()
        )
        self.address = address

    def close(self) -> None:
        if not self.is_reading:
            super().close()

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        # The certificate is checked against the host name, not the address.
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def _request(
    method: str,
    url: str,
    body: bytes | None,
    headers: dict[str, str],
    max_bytes: int,
    deadline: float,
) -> Response:
    scheme, host, port, path = _target(url)
    address = _resolve(host, port)
    pinned = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    connection = pinned(host, port, address)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html, */*;q=0.5", **headers}
    try:
        connection.request(method, path, body=body, headers=headers)
        sock = connection.sock
        _time_left(sock, deadline)
        answer = connection.getresponse()
        length = answer.getheader("Content-Length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise TooLarge(f"the answer is {length} bytes, more than {max_bytes}")
        chunks, size = [], 0
        while True:
            _time_left(sock, deadline)
            chunk = answer.read1(_CHUNK)  # one read from the socket at most
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(f"the answer is more than {max_bytes} bytes")
            chunks.append(chunk)
        return Response(url, answer.status, answer.msg, b"".join(chunks))
    except (OSError, http.client.HTTPException) as error:
        raise FetchError(f"{method} {url} failed: {error}") from error
    finally:
        connection.is_reading = False
        connection.close()


def _time_left(sock: socket.socket | None, deadline: float) -> None:
    """Let the next read wait only as long as the whole request may still take."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(f"no answer within {TOTAL_TIMEOUT:g} seconds")
    if sock is not None:
        sock.settimeout(min(left, TOTAL_TIMEOUT))
