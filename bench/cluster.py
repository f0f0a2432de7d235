"""Throughput through nginx with one app server and with two:
`python -m bench cluster`.

The cluster test's deployment (clustertest/harness.py: PostgreSQL, Redis, the
demo blog, a worker, nginx with deploy/nginx/gazette.conf over HTTPS) with two
app servers of `gazette serve`'s default size (a worker per core, at least
two). nginx first balances to the first app alone, then, after a graceful
reload, to both; wrk loads it over HTTPS with kept-alive connections and a
browser's Accept-Encoding, for:

* a post page from the page cache: the reader's common case;
* the home page rendered every time: the request carries a session cookie,
  which makes the page cache step aside as it does for a signed-in author or a
  reader with a held comment, so each request runs the view, its queries and
  the template (and one session lookup).

Everything (wrk, nginx, both apps, PostgreSQL, Redis) shares this machine's
cores: a second app server adds capacity only where there are idle cores for
it. GAZETTE_BENCH_SECONDS sets wrk's run per row (default 3).
"""

import os
import subprocess
import tempfile
from pathlib import Path

from bench import speed
from clustertest.harness import Cluster, running_cluster

CONNECTIONS = 32
SESSION = {"Cookie": "sessionid=a-reader-without-a-session"}


def run() -> None:
    for tool in ("wrk", "nginx"):
        if not speed._which(tool):
            raise SystemExit(f"{tool} is missing: `make bench-packages` installs it.")
    from gazette.site.management.commands.serve import worker_count

    workers = worker_count()
    print(f"  {_machine()}; each app server: {workers} Granian workers", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="gazette-cluster-bench-") as tmp:
        folder = Path(tmp)
        (folder / "wrk.lua").write_text(speed.WRK_REPORT)
        options = {
            "apps": 2,
            "app_workers": workers,
            "nginx_workers": os.cpu_count() or 1,
            "access_log": False,
        }
        with running_cluster(folder, **options) as cluster:
            post = _a_post(cluster)
            for apps in ([0], [0, 1]):
                cluster.reload_nginx(apps)
                label = "1 app server" if len(apps) == 1 else "2 app servers"
                rows.append(
                    _measure(cluster, f"{label}: post page from the cache", post, {})
                )
                rows.append(
                    _measure(cluster, f"{label}: home page rendered", "/", SESSION)
                )
    for one, two in zip(rows[:2], rows[2:], strict=True):
        two.reference = one.rate
    speed.print_table(rows, "of 1 app")


def _machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores (nproc {nproc}), {model}"


def _a_post(cluster: Cluster) -> str:
    """The demo's post with a picture, hashtags and comments (its address)."""
    rows = cluster.sql(
        "SELECT published_at FROM posts_post WHERE slug = %s", (speed.DEMO_POST,)
    )
    when = rows[0][0]  # the blog's time zone is the demo's UTC
    return f"/{when:%Y}/{when:%m}/{speed.DEMO_POST}/"


def _measure(cluster: Cluster, label: str, path: str, headers: dict) -> speed.Row:
    headers = speed.BROWSER | headers
    _wrk(cluster, path, headers, 1)  # warm-up: caches, connections, workers
    requests, seconds, p50, p99, bad, broken = _wrk(
        cluster, path, headers, speed.SECONDS
    )
    note = f"{bad} error answers, {broken} socket errors" if bad or broken else ""
    return speed.Row(label, requests / seconds, p50, p99, note=note)


def _wrk(cluster: Cluster, path: str, headers: dict, seconds: int):
    """(requests, seconds, p50 ms, p99 ms, answers >= 400, socket errors)"""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(cluster.folder / "wrk.lua")]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(
        [*command, cluster.base + path], capture_output=True, text=True, check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK "))
    requests, micros, p50, p99, bad, broken = (int(float(x)) for x in line.split()[1:])
    return requests, micros / 1e6, p50 / 1000, p99 / 1000, bad, broken
