"""A small remote site for the tests: a stdlib HTTP server on 127.0.0.1 that
answers each path with what a test put there."""

import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RemoteSite:
    """`pages[path] = (status, headers, body)`; `posts` records what was POSTed
    (path, Content-Type, body), answered with `post_status` (202 unless set)."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.posts: list[tuple[str, str, bytes]] = []
        self.post_status: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = site.pages.get(
                    self.path, (404, {}, b"Not here.")
                )
                self.send_response(status)
                headers = {"Content-Type": "text/html; charset=utf-8", **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                content_type = self.headers.get("Content-Type", "")
                site.posts.append((self.path, content_type, self.rfile.read(length)))
                self.send_response(site.post_status.get(self.path, 202))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:  # quiet tests
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def put(self, path: str, html: str, status: int = 200, **headers: str) -> str:
        """Serve `html` at `path`; returns the page's address."""
        self.pages[path] = (status, headers, html.encode())
        return self.url + path

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RemoteSiteMixin(unittest.TestCase):
    """One RemoteSite for a whole test class, as `cls.site`: started once, and
    stopped after the class's tests even if its set-up fails further on.

    Put it before Django's test case in the bases, `class T(RemoteSiteMixin,
    BaseTestCase)`; it derives from unittest's TestCase only so that its
    setUpClass can call the next one's, type-checked."""

    site: RemoteSite

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.site = RemoteSite()
        cls.site.start()
        cls.addClassCleanup(cls.site.stop)
