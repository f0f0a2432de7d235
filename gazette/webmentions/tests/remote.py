"""A small remote site for the tests: a stdlib HTTP server on 127.0.0.1 that
answers each path with what a test put there."""

import unittest

from gazette.test import FakeServer


class RemoteSite(FakeServer):
    """`pages[path] = (status, headers, body)`; `posts` records what was POSTed
    (path, Content-Type, body), answered with `post_status` (202 unless set)."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.posts: list[tuple[str, str, bytes]] = []
        self.post_status: dict[str, int] = {}

    def answer_get(self, path, headers):
        status, page_headers, body = self.pages.get(path, (404, {}, b"Not here."))
        return (
            status,
            {"Content-Type": "text/html; charset=utf-8", **page_headers},
            body,
        )

    def answer_post(self, path, headers, body):
        self.posts.append((path, headers.get("content-type", ""), body))
        return self.post_status.get(path, 202)

    def put(self, path: str, html: str, status: int = 200, **headers: str) -> str:
        """Serve `html` at `path`; returns the page's address."""
        self.pages[path] = (status, headers, html.encode())
        return self.url + path


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
