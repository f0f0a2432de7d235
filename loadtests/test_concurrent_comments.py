"""Many readers comment at once on the production server: nothing is lost or
stored twice. The server is gunicorn in another process, so this test commits
its data (TransactionTestCase) and points the server at the test database."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from gazette.comments.models import Comment
from gazette.posts.models import Post
from gazette.posts.writing import write_entry
from gazette.site import roles
from gazette.site.models import CommentPolicy, SiteSettings

ROOT = Path(__file__).resolve().parents[1]
THREADS = 8
PER_THREAD = 5
TIMEOUT = 30


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is the answer itself: the comment was accepted


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _read(var_dir: str) -> str:
    return (Path(var_dir) / "server.log").read_text()[-5000:]


class ConcurrentCommentsTest(TransactionTestCase):
    def setUp(self):
        authors, _ = Group.objects.get_or_create(name=roles.AUTHORS)
        author = get_user_model().objects.create_user("writer", "writer@example.org")
        author.groups.add(authors)
        self.post = write_entry(
            Post(
                title="Busy post",
                slug="busy-post",
                body="Everyone has something to say.",
                status=Post.Status.PUBLISHED,
                published_at=timezone.now(),
                author=author,
            ),
            [],
        )
        site = SiteSettings.load()
        site.comment_policy = CommentPolicy.OPEN
        site.save()

    def start_server(self, var_dir: str) -> str:
        port = _free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GAZETTE_", "DATABASE_URL", "DJANGO_"))
        }
        env |= {
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": _database_url(),
            "GAZETTE_VAR_DIR": var_dir,
            "GAZETTE_SECRET_KEY": "load-test-" + "k" * 40,
            # Relaxed for this test only: every reader here shares one address
            # and sends the form at once.
            "GAZETTE_COMMENTS_MIN_SECONDS": "0",
            "GAZETTE_COMMENTS_PER_IP": "1000",
            "GAZETTE_COMMENTS_PER_POST": "1000",
        }
        log = open(Path(var_dir) / "server.log", "w")  # noqa: SIM115
        self.addCleanup(log.close)
        # As `make run` does: the production settings serve collected static files.
        subprocess.run(
            [sys.executable, "-m", "gazette", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=TIMEOUT * 2,
        )
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "gazette.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "3",
                "--timeout",
                str(TIMEOUT),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.addCleanup(self.stop_server, server)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
                return base
            except urllib.error.HTTPError as answer:
                self.fail(f"the server answered {answer.code}:\n{_read(var_dir)}")
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.2)
        self.fail(
            "gunicorn did not start:\n" + (Path(var_dir) / "server.log").read_text()
        )

    def stop_server(self, server: subprocess.Popen) -> None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    def reader(self, base: str, n: int, results: list, errors: list) -> None:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), _NoRedirects
        )
        page_url = base + self.post.get_absolute_url()
        for i in range(PER_THREAD):
            body = f"Reader {n} says thing {i}: what a lovely morning walk."
            try:
                html = opener.open(page_url, timeout=TIMEOUT).read().decode()
                fields = {
                    name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1)
                    for name in ("token",)
                }
                data = fields | {
                    "author_name": f"Reader {n}",
                    "author_email": f"reader{n}@example.net",
                    "body": body,
                }
                opener.open(
                    base + f"/comments/{self.post.pk}/post/",
                    urlencode(data).encode(),
                    timeout=TIMEOUT,
                )
                errors.append(f"{body}: answered 200, not a redirect")
            except urllib.error.HTTPError as answer:
                if answer.code == 302:
                    results.append(body)
                else:
                    errors.append(f"{body}: {answer.code}")
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(f"{body}: {error!r}")

    def test_every_accepted_comment_is_stored_once_and_counted(self):
        with tempfile.TemporaryDirectory() as var_dir:
            base = self.start_server(var_dir)
            accepted, errors = [], []
            threads = [
                threading.Thread(target=self.reader, args=(base, n, accepted, errors))
                for n in range(THREADS)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=TIMEOUT * 2)
            self.assertFalse(any(t.is_alive() for t in threads), "readers hung")
            self.assertEqual(errors, [], _read(var_dir))
            self.assertEqual(len(accepted), THREADS * PER_THREAD)

            stored = list(
                Comment.objects.filter(post=self.post).values_list("body", "status")
            )
            self.assertEqual(sorted(b for b, _ in stored), sorted(accepted))
            self.assertEqual({s for _, s in stored}, {Comment.Status.APPROVED})
            page = (
                urllib.request.urlopen(
                    base + self.post.get_absolute_url(), timeout=TIMEOUT
                )
                .read()
                .decode()
            )
            self.assertIn(
                f'<h2 id="comments-heading">{len(accepted)} comments</h2>', page
            )
            for body in accepted:
                self.assertEqual(page.count(body), 1)
