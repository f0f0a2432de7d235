"""Requests per second through the production server (gunicorn, as `make run`
starts it) for a cached page, the same page rendered each time, and a static file."""

import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENT_THREADS = 8
SECONDS = 5


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {"GAZETTE_VAR_DIR": tmp}
        env.pop("DATABASE_URL", None)
        gazette = [sys.executable, "-m", "gazette"]
        for command in (
            ["migrate", "-v0"],
            ["collectstatic", "--noinput", "-v0"],
            ["demo"],
        ):
            subprocess.run(gazette + command, env=env, check=True, capture_output=True)
        for cached in ("1", "0"):
            port = 8700 + int(cached)
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "gazette.wsgi", "--bind",
                 f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"],
                env=env | {"GAZETTE_PAGE_CACHE": cached},
                cwd=ROOT,
            )  # fmt: skip
            try:
                base = f"http://127.0.0.1:{port}"
                _wait_for(base + "/")
                label = "cached page" if cached == "1" else "page rendered each time"
                print(f"  {label:28} {_rate(base + '/'):8.0f} requests/s")
                if cached == "1":
                    static = base + "/static/gazette/gazette.css"
                    print(f"  {'static file (CSS)':28} {_rate(static):8.0f} requests/s")
            finally:
                server.terminate()
                server.wait(timeout=10)


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def _rate(url: str) -> float:
    """Requests answered per second by CLIENT_THREADS clients over SECONDS."""
    count = [0] * CLIENT_THREADS
    stop = time.monotonic() + SECONDS

    def client(n: int) -> None:
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        while time.monotonic() < stop:
            with urllib.request.urlopen(request, timeout=5) as response:
                response.read()
                assert response.status == 200
            count[n] += 1

    threads = [
        threading.Thread(target=client, args=(n,)) for n in range(CLIENT_THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(count) / SECONDS
