"""Time to answer the reading pages, in-process, on a throwaway demo database:
rendered each time (page cache off), then served from the page cache."""

import statistics
import tempfile
import time
from io import StringIO
from pathlib import Path


def run(rounds: int = 200) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    with tempfile.TemporaryDirectory() as tmp:
        settings.DATABASES["default"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
        settings.MEDIA_ROOT = Path(tmp) / "media"
        settings.STATIC_ROOT = Path(tmp) / "static"
        settings.ALLOWED_HOSTS = ["testserver"]
        connections["default"].close()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        call_command("demo", stdout=StringIO())
        from gazette.posts.models import Post

        post_url = Post.objects.get(slug="ridge-walk").get_absolute_url()
        client = Client()
        for cached in (False, True):
            settings.GAZETTE_PAGE_CACHE = cached
            print("page cache on:" if cached else "page cache off:")
            for path in ("/", post_url, "/hashtag/Baking/"):
                _time(client, path, rounds)


def _time(client, path: str, rounds: int) -> None:
    client.get(path)
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95)]
    print(f"  {path:30} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   ({rounds} requests)")
