"""The production server (`gazette serve`: Granian, several worker processes)
started for a load test on the test database, and the published, open post the
tests comment on.

The server runs in other processes, so a test using it commits its data
(TransactionTestCase); loadtests/conftest.py makes SQLite's test database a
file those processes can open."""

import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from bench import serving
from bench.serving import free_port
from gazette.posts.models import Post
from gazette.posts.writing import write_entry
from gazette.site import roles
from gazette.site.management.commands.serve import server_command
from gazette.site.models import CommentPolicy, SiteSettings

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 30


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is the answer itself: the comment was accepted


def database_url() -> str:
    """The test database, as the server's DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def server_log(var_dir: str) -> str:
    """The end of the server's log, for a failure message."""
    return (Path(var_dir) / "server.log").read_text()[-5000:]


def gazette_env(var_dir: str, settings: dict[str, str]) -> dict[str, str]:
    """The environment of a `gazette` process run against the test database,
    its state in `var_dir`, with Gazette's `settings` (GAZETTE_...) and none of
    this process's own."""
    return serving.gazette_env(var_dir, {"DATABASE_URL": database_url()} | settings)


def start_server(
    test: TransactionTestCase,
    var_dir: str,
    settings: dict[str, str],
    workers: int = 3,
) -> str:
    """Start the production server (as `gazette serve` runs it) with `workers`
    processes on a free port, its state in
    `var_dir` and Gazette's environment `settings` (GAZETTE_...), stopped when
    `test` ends; its base URL once it answers."""
    port = free_port()
    env = gazette_env(var_dir, settings)
    log = open(Path(var_dir) / "server.log", "w")  # noqa: SIM115
    test.addCleanup(log.close)
    # As `make run` does: the production settings serve collected static files.
    subprocess.run(
        [sys.executable, "-m", "gazette", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=TIMEOUT * 2,
    )
    server = subprocess.Popen(
        server_command("127.0.0.1", port, workers=workers, access_log=False),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    test.addCleanup(stop_server, server)
    base = f"http://127.0.0.1:{port}"
    # Behind a proxy (GAZETTE_BEHIND_PROXY) the server wants to hear that the
    # reader came over HTTPS; elsewhere the header is ignored.
    probe = urllib.request.Request(base + "/", headers={"X-Forwarded-Proto": "https"})
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(probe, timeout=2).close()
            return base
        except urllib.error.HTTPError as answer:
            test.fail(f"the server answered {answer.code}:\n{server_log(var_dir)}")
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    test.fail("the server did not start:\n" + server_log(var_dir))


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def open_post(title: str, slug: str) -> Post:
    """A published post by a new author, on a blog where anyone may comment."""
    authors, _ = Group.objects.get_or_create(name=roles.AUTHORS)
    author = get_user_model().objects.create_user("writer", "writer@example.org")
    author.groups.add(authors)
    post = write_entry(
        Post(
            title=title,
            slug=slug,
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
    return post
