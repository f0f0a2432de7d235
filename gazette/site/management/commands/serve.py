"""`gazette serve`: the production web server, Granian, running Gazette's WSGI
application with a worker process per core.

Granian was chosen by measurement (see the README's "Performance"): its HTTP
handling is written in Rust, keeps connections alive, and reads requests
without tying up a Python worker, so slow clients cost little. The command
replaces itself with Granian (exec), so signals reach it directly: SIGTERM or
Ctrl-C stop it gracefully, SIGHUP restarts its workers one by one.
"""

import os
import shutil
import sys

from django.core.management.base import BaseCommand, CommandParser


def worker_count() -> int:
    """One worker process per core the server may use, at least two."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(2, cores)


def server_command(
    host: str,
    port: int,
    *,
    workers: int | None = None,
    threads: int = 4,
    access_log: bool = True,
) -> list[str]:
    """The command line that runs Gazette's production server; `make run`, the
    load tests and the benchmarks all start it from here."""
    granian = shutil.which("granian", path=os.path.dirname(sys.executable))
    command = [granian] if granian else [sys.executable, "-m", "granian"]
    command += [
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers or worker_count()),
        # Threads per worker run Django views; requests wait in Granian, not in
        # the kernel, while they are busy.
        "--blocking-threads",
        str(threads),
        "--respawn-failed-workers",
        "--no-ws",
        "--log-level",
        "warning",
    ]
    if access_log:
        # One line per request, machine-readable.
        command += [
            "--access-log",
            "--access-log-fmt",
            '{"time": "%(time)s", "addr": "%(addr)s", "method": "%(method)s", '
            '"path": "%(path)s", "status": %(status)d, "ms": %(dt_ms).1f}',
        ]
    return [*command, "gazette.wsgi:application"]


class Command(BaseCommand):
    help = "Run the production web server (Granian) with a worker per core."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", "8000"))
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Worker processes (default: one per core, at least two).",
        )
        parser.add_argument(
            "--threads", type=int, default=4, help="Threads per worker (default 4)."
        )
        parser.add_argument(
            "--no-access-log", action="store_true", help="Log errors only."
        )

    def handle(self, *args, **options) -> None:
        command = server_command(
            options["host"],
            options["port"],
            workers=options["workers"],
            threads=options["threads"],
            access_log=not options["no_access_log"],
        )
        sys.stdout.flush()
        os.execv(command[0], command)
