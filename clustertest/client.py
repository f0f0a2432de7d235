"""A reader's (or an author's) browser for the cluster test: one kept-alive
connection, its own cookies, its own loopback address, and forms read off the
pages as a browser fills them in."""

import http.client
import json
import ssl
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

TIMEOUT = 30
UPSTREAM_HEADER = "x-gazette-upstream"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: str

    @property
    def upstream(self) -> str:
        """The app server that answered ("" when nginx answered itself). nginx
        lists every app it tried, the one that answered last."""
        tried = self.headers.get(UPSTREAM_HEADER, "")
        return tried.split(",")[-1].strip()

    def json(self) -> dict:
        return json.loads(self.body)


class Browser:
    """HTTP(S) requests to one server from `address` (any 127.x.y.z: the
    loopback network is the whole of 127.0.0.0/8, so readers can differ)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        tls: ssl.SSLContext | None = None,
        address: str = "127.0.0.1",
        headers: dict[str, str] | None = None,
    ):
        self.host, self.port, self.tls = host, port, tls
        self.address = address
        self.headers = headers or {}
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.upstreams: list[str] = []  # which app answered each request
        scheme = "https" if tls else "http"
        self.origin = f"{scheme}://{host}:{port}"

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(
        self, path: str, form: dict[str, str], headers: dict[str, str] | None = None
    ) -> Answer:
        """Send a form as a browser does: urlencoded, with its Origin."""
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": self.origin + path,
        } | (headers or {})
        return self.request("POST", path, urlencode(form).encode(), headers)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        headers = self.headers | (headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reused = self.connection is not None
        try:
            return self._send(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.close()
            # A kept-alive connection the server had closed: a GET may be sent
            # again, a POST may not (it may have been received).
            if reused and method == "GET":
                return self._send(method, path, body, headers)
            raise

    def _send(self, method, path, body, headers) -> Answer:
        if self.connection is None:
            source = (self.address, 0)
            if self.tls:
                self.connection = http.client.HTTPSConnection(
                    self.host,
                    self.port,
                    timeout=TIMEOUT,
                    context=self.tls,
                    source_address=source,
                )
            else:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=TIMEOUT, source_address=source
                )
        self.connection.request(method, path, body, headers)
        response = self.connection.getresponse()
        data = response.read()
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        answer = Answer(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            data.decode("utf-8", "replace"),
        )
        self.upstreams.append(answer.upstream)
        if response.will_close:
            self.close()
        return answer

    def form(self, path: str, form_id: str | None = None) -> dict[str, str]:
        """The fields of the page's form (the first with a method="post", or
        the one with `form_id`) as the browser would send them untouched."""
        answer = self.get(path)
        if answer.status != 200:
            raise AssertionError(f"GET {path}: {answer.status}\n{answer.body[:2000]}")
        found = FormReader(form_id)
        found.feed(answer.body)
        return found.fields

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def location_path(answer: Answer) -> str:
    """A redirect's target, as a path on the same server."""
    target = urlsplit(answer.headers.get("location", ""))
    return target.path + (f"?{target.query}" if target.query else "")


class FormReader(HTMLParser):
    """Reads one form's fields out of a page: inputs (not buttons), textareas
    and selects, with the values a browser would send."""

    def __init__(self, form_id: str | None = None):
        super().__init__()
        self.form_id = form_id
        self.fields: dict[str, str] = {}
        self.inside = self.done = False
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.done and not self.inside:
            wanted = a.get("id") == self.form_id if self.form_id else True
            self.inside = wanted and a.get("method", "").lower() == "post"
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields[name] = a.get("value", "on" if a.get("type") else "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self.select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in a:
            self.fields[self.select] = a.get("value", "")

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True
