"""Starting, watching and stopping the servers that the benchmarks measure from
outside: Gazette's own production server, nginx, and the other servers compared
in bench/servers.py. One place, so every benchmark starts them the same way."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Long and fixed: production settings want a real key, and the benchmarks mint
# nothing with it themselves.
SECRET_KEY = "bench-" + "k" * 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, headers: dict[str, str] | None = None, seconds=30) -> None:
    """Return once `url` answers at all (any HTTP status counts)."""
    deadline = time.monotonic() + seconds
    request = urllib.request.Request(url, headers=headers or {})
    while True:
        try:
            urllib.request.urlopen(request, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer in {seconds} s") from None
            time.sleep(0.2)


def gazette_env(var_dir: str, settings: dict[str, str]) -> dict[str, str]:
    """The environment of a `gazette` process whose state (SQLite database,
    cache, static files) lives in `var_dir`, with production settings and
    Gazette's `settings` (GAZETTE_...), and none of this process's own."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GAZETTE_", "DATABASE_URL", "DJANGO_", "REDIS_URL"))
    }
    return (
        env
        | {
            "PYTHONPATH": str(ROOT),
            "GAZETTE_VAR_DIR": var_dir,
            "GAZETTE_SECRET_KEY": SECRET_KEY,
        }
        | settings
    )


def gazette(env: dict[str, str], *args: str) -> str:
    """Run a `gazette` command in that environment; what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "gazette", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"gazette {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a server in its own process group, its output in `log`."""
    with open(log, "a") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(server: subprocess.Popen) -> None:
    """Stop a server started by `start`, and its workers with it."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (its workers, and theirs)."""
    found = []
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        children = [int(c) for t in tasks for c in (t / "children").read_text().split()]
    except FileNotFoundError:
        return []
    for child in children:
        found += [child, *descendants(child)]
    return found


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user and system) used so far by these processes."""
    ticks = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        fields = stat.rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of one process (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""
