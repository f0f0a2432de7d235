"""The production server's choice, measured: `python -m bench servers`.

The same demo blog is served by gunicorn (sync workers, which close the
connection after every answer, and gthread workers, which keep it alive),
Granian running the WSGI application as `gazette serve` does, Granian and
uvicorn running Django's ASGI application, each with a worker per core, and
loaded with wrk for the post page from the page cache and the home page
rendered each time (cache off).

gunicorn and uvicorn are not Gazette's dependencies: they are installed with
pip into a temporary folder for the measurement, and gone afterwards.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from bench import serving, speed

OTHERS = ["gunicorn", "uvicorn"]


def _commands(port: int) -> dict[str, list[str]]:
    from gazette.site.management.commands.serve import server_command, worker_count

    workers = str(worker_count())
    bind = ["--bind", f"127.0.0.1:{port}", "--workers", workers]
    gunicorn = [sys.executable, "-m", "gunicorn", "gazette.wsgi:application", *bind]
    quiet = ["--log-level", "warning"]
    # No ASGI module of Gazette's own: Django's, made by its factory.
    asgi = "django.core.asgi:get_asgi_application"
    return {
        "gunicorn, sync workers": [*gunicorn, *quiet],
        "gunicorn, gthread (4 threads, keep-alive)": [
            *gunicorn,
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--keep-alive",
            "5",
            *quiet,
        ],
        "granian WSGI (gazette serve)": server_command(
            "127.0.0.1", port, access_log=False
        ),
        "granian ASGI (Django's asgi)": _granian_asgi(server_command, port, asgi),
        "uvicorn ASGI (Django's asgi)": [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            asgi,
            "--interface",
            "asgi3",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            workers,
            "--no-access-log",
            "--log-level",
            "warning",
        ],
    }


def _granian_asgi(server_command, port: int, factory: str) -> list[str]:
    """`gazette serve`'s command line, serving Django's ASGI application."""
    command = server_command("127.0.0.1", port, access_log=False)[:-1]
    command[command.index("--interface") + 1] = "asgi"
    # Granian runs an ASGI application on its event loop: one thread.
    command[command.index("--blocking-threads") + 1] = "1"
    return [*command, "--factory", factory]


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="gazette-servers-") as tmp:
        var = Path(tmp)
        packages = var / "packages"
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target",
             str(packages), *OTHERS],
            check=True,
        )  # fmt: skip
        installed = sorted(p.name for p in packages.glob("*.dist-info"))
        print("  installed for the measurement:", ", ".join(installed))
        env = serving.gazette_env(tmp, speed.SETTINGS)
        # The packages first, then Gazette; Django's ASGI factory wants settings.
        env["PYTHONPATH"] = f"{packages}:{serving.ROOT}"
        env["DJANGO_SETTINGS_MODULE"] = "gazette.settings"
        blog = speed.prepare(var, env, posts=0)
        rows = []
        for name in _commands(0):
            for cached, label, path in (
                ("1", "post page from the cache", blog["post"]),
                ("0", "home page rendered", "/"),
            ):
                port = serving.free_port()
                command = _commands(port)[name]
                settings = {"GAZETTE_PAGE_CACHE": cached}
                with speed.serve(command, port, env | settings, var) as target:
                    rows.append(speed.measure(var, target, f"{name}: {label}", path))
    speed.print_table(rows, "")
