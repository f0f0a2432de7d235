"""Shared test set-up: a small cast, helpers to make posts, and a test client
whose requests commit as they would in production."""

import os
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client, TestCase, override_settings
from django.utils import timezone

from gazette.lib.text import unique_slug
from gazette.posts.models import Post
from gazette.posts.writing import write_entry
from gazette.site import roles

# For a test that needs every page rendered afresh; the page cache is otherwise
# on in tests, as in production.
without_page_cache = override_settings(GAZETTE_PAGE_CACHE=False)


@contextmanager
def committed():
    """Run what was deferred to the end of a transaction (cache bumps, mail)
    once the block ends, as a commit would: a TestCase never commits.

    The callbacks run are removed, so that an enclosing block does not run
    them again.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    start = len(connection.run_on_commit)
    try:
        yield
    finally:
        while len(connection.run_on_commit) > start:
            pending = connection.run_on_commit[start:]
            del connection.run_on_commit[start:]
            for _, callback, *_ in pending:
                callback()


class CommittingClient(Client):
    """Each request commits at its end, as it does in production (a test client
    request inside a TestCase otherwise leaves its on-commit work pending)."""

    def request(self, **request):
        with committed():
            return super().request(**request)


def add_comment(post, name="Dana", body="Nice.", *, status="approved", **fields):
    """A comment stored as an import stores one (no mail), committed. `fields`
    are the Comment's: author_email, author_url, parent, created_at..."""
    from gazette.comments.intake import CommentDraft, Source, receive_comment

    parent = fields.pop("parent", None)
    draft = CommentDraft(
        name=name,
        body=body,
        email=fields.pop("author_email", ""),
        url=fields.pop("author_url", ""),
        parent_id=parent.pk if parent is not None else None,
        user=fields.pop("user", None),
        ip=fields.pop("ip_address", None),
        wants_replies=fields.pop("wants_reply_notifications", False),
        status=status,
        created_at=fields.pop("created_at", None),
    )
    with committed():
        comment = receive_comment(post, draft, Source.IMPORT)
    if fields:  # what an import cannot bring, such as a spam score
        for name, value in fields.items():
            setattr(comment, name, value)
        comment.save(update_fields=list(fields))
    return comment


class BaseTestCase(TestCase):
    """alice is an author, bob a contributor, carol a reader, and dave a plain
    account that tests make whatever they need."""

    client_class = CommittingClient
    alice: User
    bob: User
    carol: User
    dave: User

    @classmethod
    def setUpTestData(cls):
        User = get_user_model()
        cls.alice = User.objects.create_user(
            "alice",
            "alice@example.org",
            "password",
            first_name="Alice",
            last_name="Ames",
        )
        cls.bob = User.objects.create_user("bob", "bob@example.org", "password")
        cls.carol = User.objects.create_user("carol", "carol@example.org", "password")
        cls.dave = User.objects.create_user("dave", "dave@example.org", "password")
        cls.alice.groups.add(Group.objects.get(name=roles.AUTHORS))
        cls.bob.groups.add(Group.objects.get(name=roles.CONTRIBUTORS))

    def setUp(self):
        super().setUp()
        cache.clear()

    def make_post(
        self,
        title: str = "A post",
        *,
        body: str = "Some words.",
        hashtags: tuple[str, ...] = (),
        days_ago: float = 1,
        status: str = Post.Status.PUBLISHED,
        **fields,
    ) -> Post:
        """A post by alice, published `days_ago` (negative: in the future),
        written as the desk writes it and committed."""
        fields.setdefault("author", self.alice)
        fields.setdefault("published_at", timezone.now() - timedelta(days=days_ago))
        post = Post(title=title, body=body, status=status, **fields)
        if not post.slug:
            post.slug = unique_slug(title, Post.objects.slug_taken)
        with committed():
            write_entry(post, list(hashtags), keep_revision=False)
        return post


def settings_seen_by_gazette(env: dict[str, str], *expressions: str) -> list[str]:
    """The repr of each expression over `s` (django.conf.settings) as a fresh
    `gazette` process sees it with `env`: for settings read from the
    environment at start-up, which a test cannot override in its own process.
    The developer's own GAZETTE_ variables are left out."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GAZETTE_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    script = "from django.conf import settings as s; " + "; ".join(
        f"print('=', repr(({expression})))" for expression in expressions
    )
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        environment |= {"GAZETTE_VAR_DIR": tmp, "PYTHONPATH": str(root)} | env
        done = subprocess.run(
            [sys.executable, "-m", "gazette", "shell", "-c", script],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
    if done.returncode != 0:
        raise AssertionError(f"gazette shell failed:\n{done.stderr[-3000:]}")
    return [line[2:] for line in done.stdout.splitlines() if line.startswith("= ")]


class FakeServer:
    """Another site, for tests that talk to one: a stdlib HTTP server on
    127.0.0.1, on a free port, in a thread. Subclasses answer by overriding
    `answer_get` and `answer_post`; header names reach them in lower case."""

    def __init__(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.answer(*fake.answer_get(self.path, self.lowered_headers()))

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = fake.answer_post(self.path, self.lowered_headers(), body)
                self.answer(status, {}, b"")

            def lowered_headers(self) -> dict[str, str]:
                return {name.lower(): value for name, value in self.headers.items()}

            def answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:  # quiet tests
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer_get(
        self, path: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        return 404, {}, b"Not here."

    def answer_post(self, path: str, headers: dict[str, str], body: bytes) -> int:
        return 405
