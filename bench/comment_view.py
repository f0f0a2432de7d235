"""Comments per second through the production server (Granian with a worker
per core, as `make run` starts it) on SQLite, and through the intake service
alone (`receive_comment`, in one process).

The server runs on a throwaway database with one open post, as if behind a
proxy, so that each client names its own address in X-Forwarded-For; the rate
limits are raised and the form's minimum time is 0, so that every comment is
stored (a 302). Each comment carries a fresh signed form token. What is printed:
comments per second (wall clock) and the workers' CPU milliseconds per comment,
read from /proc, so that other work on a shared machine does not count.

Run as `python -m bench comment_view`; this module also runs itself
(`python -m bench.comment_view setup|service`) on the throwaway database.
"""

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from bench import serving

ROOT = serving.ROOT
WORKERS = int(os.environ.get("GAZETTE_BENCH_WORKERS", 0))  # 0: a worker per core
CLIENT_THREADS = 16
WARM_UP = 60  # comments before measuring: every worker has served a few
COMMENTS = int(os.environ.get("GAZETTE_BENCH_COMMENTS", 1000))
SERVICE_COMMENTS = 500
SLUG = "bench-comments"
# Generous limits: the benchmark measures storing comments, not refusing them.
SETTINGS = {
    "GAZETTE_HTTPS": "1",
    "GAZETTE_BEHIND_PROXY": "1",
    "GAZETTE_COMMENTS_MIN_SECONDS": "0",
    "GAZETTE_COMMENTS_PER_IP": "100000",
    "GAZETTE_COMMENTS_PER_POST": "100000",
}
BODIES = [
    "Lovely walk along the river this morning, thanks for the pictures {n}.",
    "I tried the recipe last night and my children asked for seconds ({n}).",
    "Does anyone know whether the museum opens on Sundays in winter? #{n}",
    "Great post. The part about the old bridge reminded me of my grandfather {n}.",
]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 is the answer: the comment was stored


def run() -> None:
    from django.conf import settings

    with tempfile.TemporaryDirectory() as tmp:
        # The tokens are minted here, so the server signs with this key.
        env = serving.gazette_env(
            tmp, SETTINGS | {"GAZETTE_SECRET_KEY": settings.SECRET_KEY}
        )
        serving.gazette(env, "migrate", "-v0")
        serving.gazette(env, "collectstatic", "--noinput", "-v0")
        post_id = int(_itself(env, "setup"))
        _view(env, tmp, post_id)
        print(_itself(env, "service"), end="")


def _itself(env: dict[str, str], part: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bench.comment_view", part],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _view(env: dict[str, str], tmp: str, post_id: int) -> None:
    from django.conf import settings

    from gazette.comments.spam import make_form_token
    from gazette.site.management.commands.serve import server_command

    port = serving.free_port()
    command = server_command(
        "127.0.0.1", port, workers=WORKERS or None, access_log=False
    )
    server = serving.start(command, env, Path(tmp) / "server.log")
    try:
        base = f"http://127.0.0.1:{port}"
        serving.wait_for(base + "/", {"X-Forwarded-Proto": "https"})
        url = f"{base}/comments/{post_id}/post/"
        # Tokens are signed with the server's key (the same SECRET_KEY).
        assert env["GAZETTE_SECRET_KEY"] == settings.SECRET_KEY
        warm = [make_form_token(post_id) for _ in range(WARM_UP)]
        tokens = [make_form_token(post_id) for _ in range(COMMENTS)]
        stored, errors, _ = _send(url, warm, first=0)
        if stored != WARM_UP:
            raise RuntimeError(f"warm-up: {errors[:3]}\n{_tail(tmp)}")
        workers = serving.descendants(server.pid)
        cpu_before = serving.cpu_seconds(workers)
        client_before = time.process_time()
        stored, errors, seconds = _send(url, tokens, first=WARM_UP)
        cpu = serving.cpu_seconds(workers) - cpu_before
        client_cpu = time.process_time() - client_before
    finally:
        serving.stop(server)
    print(
        f"  view, {len(workers)} workers, {CLIENT_THREADS} clients: "
        f"{stored / seconds:6.0f} comments/s ({stored} of {COMMENTS} stored "
        f"in {seconds:.1f} s), {1000 * cpu / max(stored, 1):.1f} ms server CPU "
        f"per comment (the clients: {1000 * client_cpu / max(stored, 1):.1f} ms)"
    )
    if errors:
        print(f"  not stored: {len(errors)}, e.g. {errors[0]}")


def _send(url: str, tokens: list[str], first: int) -> tuple[int, list[str], float]:
    """Send one comment per token from CLIENT_THREADS threads, each comment from
    an address of its own. (comments stored, errors, wall seconds)"""
    stored = [0] * CLIENT_THREADS
    errors: list[str] = []
    opener = urllib.request.build_opener(_NoRedirects)

    def client(k: int) -> None:
        for n in range(k, len(tokens), CLIENT_THREADS):
            number = first + n
            address = f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"
            data = {
                "token": tokens[n],
                "author_name": f"Reader {number}",
                "author_email": f"reader{number}@example.net",
                "body": BODIES[number % len(BODIES)].format(n=number),
            }
            request = urllib.request.Request(
                url,
                urlencode(data).encode(),
                headers={"X-Forwarded-For": address, "X-Forwarded-Proto": "https"},
            )
            try:
                opener.open(request, timeout=60).close()
                errors.append("answered 200, not a redirect")
            except urllib.error.HTTPError as answer:
                if answer.code == 302:
                    stored[k] += 1
                else:
                    errors.append(f"{answer.code}: {_reason(answer)}")
            except OSError as error:
                errors.append(repr(error))

    threads = [
        threading.Thread(target=client, args=(k,)) for k in range(CLIENT_THREADS)
    ]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(stored), errors, time.monotonic() - began


def _reason(answer: urllib.error.HTTPError) -> str:
    page = answer.read().decode(errors="replace")
    match = re.search(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', page)
    return match.group(1).strip() if match else page[:200]


def _tail(tmp: str) -> str:
    return (Path(tmp) / "server.log").read_text()[-3000:]


def _setup() -> None:
    """Migrated already: an author and an open, published post; its id."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from gazette.posts.models import Post
    from gazette.posts.writing import write_entry
    from gazette.site import roles
    from gazette.site.models import CommentPolicy, SiteSettings

    authors, _ = Group.objects.get_or_create(name=roles.AUTHORS)
    author = get_user_model().objects.create_user("writer", "writer@example.org")
    author.groups.add(authors)
    posts = [
        write_entry(
            Post(
                title=f"Comment on me {n}",
                slug=f"{SLUG}-{n}",
                body="Everyone has something to say.",
                status=Post.Status.PUBLISHED,
                published_at=timezone.now(),
                author=author,
            ),
            [],
        )
        for n in (1, 2)
    ]
    site = SiteSettings.load()
    site.comment_policy = CommentPolicy.OPEN
    site.save()
    print(posts[0].pk)


def _service() -> None:
    """receive_comment alone, on the second post, as the form would call it."""
    from gazette.comments.intake import CommentDraft, Source, receive_comment
    from gazette.posts.models import Post
    from gazette.site.models import SiteSettings

    post = Post.objects.get(slug=f"{SLUG}-2")

    def comment(number: int) -> None:
        draft = CommentDraft(
            name=f"Reader {number}",
            email=f"reader{number}@example.net",
            body=BODIES[number % len(BODIES)].format(n=number),
            ip=f"10.9.{number >> 8 & 255}.{number & 255}",
            commenter_id=f"bench{number}",
        )
        receive_comment(post, draft, Source.FORM, site=SiteSettings.load())

    for number in range(20):  # the first comment reads the built-in model
        comment(number)
    cpu, began = time.process_time(), time.monotonic()
    for number in range(20, 20 + SERVICE_COMMENTS):
        comment(number)
    cpu, wall = time.process_time() - cpu, time.monotonic() - began
    print(
        f"  service (receive_comment, one process): {SERVICE_COMMENTS / wall:6.0f} "
        f"comments/s, {1000 * cpu / SERVICE_COMMENTS:.1f} ms CPU per comment"
    )


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gazette.settings")
    import django

    django.setup()
    {"setup": _setup, "service": _service}[sys.argv[1]]()
