"""A whole Gazette deployment on one machine, for the cluster test and the
cluster benchmark: PostgreSQL, Redis, N app servers (`gazette serve`), one task
worker (`gazette worker`) and nginx balancing between the apps, all from
Debian's packages, on loopback, each on a free port, with every file in one
temporary folder.

nginx's site configuration is deploy/nginx/gazette.conf, the example that
deploy/README.md documents, with its @PLACEHOLDERS@ filled in: what is tested
here is what a real deployment copies. The main nginx.conf around it stands in
for Debian's /etc/nginx/nginx.conf.

Every process started is recorded by its PID (and the PIDs of its children
once it is up) and stopped by PID, in the reverse order, by `Cluster.stop()`,
which then checks that none of them is left. `running_cluster()` stops it
however the block ends.
"""

import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench import serving

ROOT = serving.ROOT
TEMPLATE = ROOT / "deploy" / "nginx" / "gazette.conf"
ADMIN_PASSWORD = "cluster-admin-" + "x" * 16
HOST = "127.0.0.1"
START_SECONDS = 60
STOP_SECONDS = 15
# The limits as production has them, except the form's minimum time (the test
# writes faster than a person) and the per-post limit (the load in the kill
# test would otherwise hold comments for moderation, which is not its point).
SETTINGS = {
    "GAZETTE_DEBUG": "0",
    "GAZETTE_HTTPS": "1",
    "GAZETTE_BEHIND_PROXY": "1",
    "GAZETTE_SERVE_MEDIA": "0",  # nginx answers /media/ from the shared folder
    "GAZETTE_COMMENTS_MIN_SECONDS": "0",
    "GAZETTE_COMMENTS_PER_IP": "5",
    "GAZETTE_COMMENTS_PER_POST": "100000",
    "GAZETTE_ADMIN_PASSWORD": ADMIN_PASSWORD,
    "GAZETTE_LOG_LEVEL": "WARNING",
}

NGINX_MAIN = """\
# Stands in for Debian's /etc/nginx/nginx.conf: its http context, every file in
# the cluster's folder, and the site file included as sites-enabled/ would be.
worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
daemon off;
{user}
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    log_format upstream '$remote_addr "$request" $status $upstream_addr '
                        '$upstream_status $request_time';
    {access_log}
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/gazette.conf;
}}
"""


def fill_template(text: str, values: dict[str, str]) -> str:
    """`text` with each @NAME@ replaced by values[NAME]; every placeholder must
    be given, so that a new one in the template cannot go unnoticed."""
    filled = re.sub(r"@([A-Z_]+)@", lambda m: values[m.group(1)], text)
    if left := re.findall(r"@[A-Z_]+@", filled):
        raise ValueError(f"placeholders left in the nginx template: {left}")
    return filled


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not found:
        raise RuntimeError("nginx is missing: `make system-packages` installs it.")
    return found


def postgres_bindir() -> Path:
    """The newest PostgreSQL server's binaries, as scripts/with-postgres finds them."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name),
    )
    if not found:
        raise RuntimeError(
            "PostgreSQL's server is missing (apt-get install postgresql)."
        )
    return found[-1].parent


def alive(pid: int) -> bool:
    """Whether `pid` is a running process (a zombie waiting for its parent is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


@dataclass
class Service:
    """One started process, known by its PID, and the PIDs of its children."""

    name: str
    process: subprocess.Popen
    log: Path
    stop_signal: int = signal.SIGTERM
    # Signal the whole process group: Granian's workers go with their server.
    group: bool = False
    known: set[int] = field(default_factory=set)

    @property
    def pid(self) -> int:
        return self.process.pid

    def remember_children(self) -> None:
        self.known |= {self.pid, *serving.descendants(self.pid)}

    def stop(self) -> None:
        """Ask it to stop, by PID; kill it (and its group) if it does not."""
        self.remember_children()
        if self.process.poll() is None:
            self._signal(self.stop_signal)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.process.wait(timeout=STOP_SECONDS)
        # Children that outlived their parent (a killed server's workers).
        deadline = time.monotonic() + STOP_SECONDS
        while (left := self.left()) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in left:
            os.kill(pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL at once, as a machine that dies: no graceful anything."""
        self.remember_children()
        self._signal(signal.SIGKILL)
        self.process.wait(timeout=STOP_SECONDS)

    def left(self) -> list[int]:
        return sorted(pid for pid in self.known if alive(pid))

    def _signal(self, number: int) -> None:
        try:
            if self.group:
                os.killpg(self.pid, number)
            else:
                os.kill(self.pid, number)
        except ProcessLookupError:
            pass


class Cluster:
    """The deployment in `folder`; `start()` it, then `stop()` it (or use
    `running_cluster`)."""

    def __init__(
        self,
        folder: Path,
        *,
        apps: int = 2,
        app_workers: int = 1,
        nginx_workers: int = 1,
        access_log: bool = True,
        settings: dict[str, str] | None = None,
    ):
        self.folder = folder
        self.app_workers = app_workers
        self.nginx_workers = nginx_workers
        self.access_log = access_log
        self.services: list[Service] = []
        self.apps: list[Service | None] = [None] * apps
        self.app_ports = [serving.free_port() for _ in range(apps)]
        self.pg_port = serving.free_port()
        self.redis_port = serving.free_port()
        self.nginx_port = serving.free_port()  # HTTPS
        self.nginx_http_port = serving.free_port()  # redirects to HTTPS
        self.base = f"https://{HOST}:{self.nginx_port}"
        self.database_url = f"postgres://postgres@{HOST}:{self.pg_port}/gazette"
        self.redis_url = f"redis://{HOST}:{self.redis_port}/0"
        self.static_root = folder / "static"
        self.media_root = folder / "media"
        self.certificate = folder / "tls" / "cert.pem"
        self.settings = (
            SETTINGS
            | {
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "GAZETTE_STATIC_ROOT": str(self.static_root),
                "GAZETTE_MEDIA_ROOT": str(self.media_root),
                "GAZETTE_ALLOWED_HOSTS": HOST,
                # nginx passes the host without the port; the browser's Origin
                # names this port, so the forms' CSRF check needs to know it.
                "GAZETTE_CSRF_TRUSTED_ORIGINS": self.base,
                "GAZETTE_EMAIL_FILE_PATH": str(folder / "mail"),
            }
            | (settings or {})
        )

    # Starting

    def start(self) -> None:
        """Everything, in order; on any failure what was started is stopped."""
        # Other users (postgres; nginx's workers elsewhere) must reach into it.
        self.folder.chmod(0o755)
        for name in ("static", "media", "mail", "nginx", "tls"):
            (self.folder / name).mkdir(mode=0o755, exist_ok=True)
        # Collecting (and compressing) static files needs no database: it runs
        # while PostgreSQL starts and migrates.
        collecting = self._start(
            "collectstatic",
            [sys.executable, "-m", "gazette", "collectstatic", "--noinput", "-v0"],
            self.env("admin"),
        )
        try:
            self._start_postgres()
            self._start_redis()
            self._set_up_blog()
            if collecting.process.wait(timeout=START_SECONDS * 2):
                raise RuntimeError(f"collectstatic:\n{self.log_tail(collecting)}")
            apps = [self.start_app(n, wait=False) for n in range(len(self.apps))]
            self.worker = self._start(
                "worker",
                [sys.executable, "-m", "gazette", "worker"],
                self.env("worker"),
                group=True,
            )
            for n, app in enumerate(apps):
                self._wait_for_app(n, app)
            self._start_nginx()
        except BaseException:
            self.stop()
            raise

    def env(self, machine: str) -> dict[str, str]:
        """A `gazette` process's environment: the shared settings, and a var
        folder of its own as each machine of a real deployment has."""
        var = self.folder / "var" / machine
        var.mkdir(parents=True, exist_ok=True)
        return serving.gazette_env(str(var), self.settings)

    def gazette(self, *args: str) -> str:
        """Run a `gazette` command against the cluster, as an operator would."""
        return serving.gazette(self.env("admin"), *args)

    def _start(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        *,
        group: bool = False,
        stop_signal: int = signal.SIGTERM,
        user: str | None = None,
    ) -> Service:
        log = self.folder / f"{name}.log"
        with open(log, "ab") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=user,
                group=user,
                extra_groups=[] if user else None,
            )
        service = Service(name, process, log, stop_signal, group)
        self.services.append(service)
        return service

    def _start_postgres(self) -> None:
        bindir = postgres_bindir()
        data = self.folder / "postgres"
        data.mkdir(mode=0o700)
        # initdb refuses to run as root: as scripts/with-postgres does, the
        # cluster belongs to the postgres user then.
        user = "postgres" if os.geteuid() == 0 else None
        if user:
            owner = pwd.getpwnam(user)
            os.chown(data, owner.pw_uid, owner.pw_gid)
        subprocess.run(
            [str(bindir / "initdb"), "-D", str(data / "db"), "-U", "postgres"]
            + ["--auth=trust", "-E", "UTF8", "--locale=C"],
            check=True,
            capture_output=True,
            user=user,
            group=user,
            extra_groups=[] if user else None,
        )
        self.postgres = self._start(
            "postgres",
            [str(bindir / "postgres"), "-D", str(data / "db"), "-p", str(self.pg_port)]
            + ["-c", f"listen_addresses={HOST}", "-k", str(data)]
            + ["-c", "fsync=off", "-c", "synchronous_commit=off"]
            + ["-c", "full_page_writes=off", "-c", "max_connections=200"],
            {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"},
            stop_signal=signal.SIGINT,  # PostgreSQL's fast shutdown
            user=user,
        )
        self._wait("PostgreSQL", self.postgres, self._postgres_answers)
        self.sql("CREATE DATABASE gazette", database="postgres", autocommit=True)

    def _postgres_answers(self) -> bool:
        try:
            self.sql("SELECT 1", database="postgres")
            return True
        except Exception:  # noqa: BLE001 - not up yet
            return False

    def sql(
        self,
        query: str,
        params: tuple = (),
        *,
        database: str = "gazette",
        autocommit: bool = False,
    ) -> list[tuple]:
        """Rows of one query on the cluster's database (the tests' own view of
        what was stored, not through the app)."""
        import psycopg

        with psycopg.connect(
            host=HOST,
            port=self.pg_port,
            user="postgres",
            dbname=database,
            autocommit=autocommit,
            connect_timeout=5,
        ) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def _start_redis(self) -> None:
        folder = self.folder / "redis"
        folder.mkdir()
        self.redis = self._start(
            "redis",
            ["redis-server", "--bind", HOST, "--port", str(self.redis_port)]
            + ["--save", "", "--appendonly", "no", "--dir", str(folder)]
            + ["--maxmemory-policy", "noeviction", "--protected-mode", "yes"],
            {"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        )
        self._wait("Redis", self.redis, self._redis_answers)

    def _redis_answers(self) -> bool:
        try:
            with socket.create_connection((HOST, self.redis_port), timeout=2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def _set_up_blog(self) -> None:
        """As deploy/README.md orders it: migrations, static files, the first
        account; then the demo blog, with comments open to anyone."""
        self.gazette("migrate", "--noinput", "-v0")
        # One process for the rest: each `gazette` command costs seconds of start-up.
        self.gazette(
            "shell",
            "-c",
            "from django.core.management import call_command\n"
            "from gazette.site.models import CommentPolicy, SiteSettings\n"
            "call_command('ensure_admin')\n"
            "call_command('demo')\n"
            "site = SiteSettings.load()\n"
            "site.comment_policy = CommentPolicy.OPEN\n"
            "site.save()\n",
        )

    def start_app(self, n: int, *, wait: bool = True) -> Service:
        """App server `n` (0, 1, ...) on its port, as systemd starts it; with
        `wait`, once its /healthz answers 200."""
        port = self.app_ports[n]
        command = [sys.executable, "-m", "gazette", "serve", "--host", HOST]
        command += ["--port", str(port), "--workers", str(self.app_workers)]
        app = self._start(f"app{n + 1}", command, self.env(f"app{n + 1}"), group=True)
        self.apps[n] = app
        if wait:
            self._wait_for_app(n, app)
        return app

    def _wait_for_app(self, n: int, app: Service) -> None:
        port = self.app_ports[n]
        self._wait(f"app server {n + 1}", app, lambda: self._healthy(port))

    def _healthy(self, port: int) -> bool:
        """Whether /healthz answers 200 (database and cache reachable)."""
        request = urllib.request.Request(
            f"http://{HOST}:{port}/healthz",
            # Behind the proxy the app wants to hear that the reader used HTTPS.
            headers={"X-Forwarded-Proto": "https"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return answer.status == 200
        except (OSError, urllib.error.HTTPError):
            return False

    def _start_nginx(self) -> None:
        folder = self.folder / "nginx"
        key = self.folder / "tls" / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec"]
            + ["-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"]
            + ["-subj", f"/CN={HOST}", "-addext", f"subjectAltName=IP:{HOST}"]
            + ["-keyout", str(key), "-out", str(self.certificate)],
            check=True,
            capture_output=True,
        )
        self.write_nginx_config(range(len(self.apps)))
        # As root, nginx would hand its workers to "nobody", who may not read
        # the cluster's private files: they stay with this user.
        user = "user root;" if os.geteuid() == 0 else ""
        log = f"access_log {folder}/access.log upstream;" if self.access_log else ""
        main = NGINX_MAIN.format(
            workers=self.nginx_workers, dir=folder, user=user, access_log=log
        )
        (folder / "nginx.conf").write_text(main)
        command = [nginx_binary(), "-c", str(folder / "nginx.conf")]
        command += ["-p", str(folder), "-e", str(folder / "error.log")]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx refused its configuration:\n{check.stderr}")
        self.nginx = self._start("nginx", command, dict(os.environ))
        self._wait("nginx", self.nginx, self._nginx_answers)

    def write_nginx_config(self, apps) -> None:
        """deploy/nginx/gazette.conf filled in for this cluster, balancing
        between the app servers numbered in `apps`."""
        servers = "\n    ".join(f"server {HOST}:{self.app_ports[n]};" for n in apps)
        site = fill_template(
            TEMPLATE.read_text(),
            {
                "SERVER_NAME": HOST,
                "HTTP_LISTEN": f"{HOST}:{self.nginx_http_port}",
                "HTTPS_LISTEN": f"{HOST}:{self.nginx_port}",
                "TLS_CERTIFICATE": str(self.certificate),
                "TLS_CERTIFICATE_KEY": str(self.folder / "tls" / "key.pem"),
                "APP_SERVERS": servers,
                "STATIC_ROOT": str(self.static_root),
                "MEDIA_ROOT": str(self.media_root),
                "MAX_UPLOAD_MB": SETTINGS.get("GAZETTE_MAX_UPLOAD_MB", "20"),
            },
        )
        (self.folder / "nginx" / "gazette.conf").write_text(site)

    def reload_nginx(self, apps) -> None:
        """Balance between `apps` from now on (nginx's graceful reload)."""
        self.write_nginx_config(apps)
        before = set(serving.descendants(self.nginx.pid))
        os.kill(self.nginx.pid, signal.SIGHUP)
        deadline = time.monotonic() + START_SECONDS
        # Reloaded once the old workers are gone and new ones are up.
        while time.monotonic() < deadline:
            now = set(serving.descendants(self.nginx.pid))
            if now and not now & before:
                return
            time.sleep(0.1)
        raise RuntimeError("nginx did not reload")

    def tls_context(self) -> ssl.SSLContext:
        """A client context that trusts the cluster's own certificate."""
        return ssl.create_default_context(cafile=str(self.certificate))

    def _nginx_answers(self) -> bool:
        request = urllib.request.Request(self.base + "/healthz")
        try:
            with urllib.request.urlopen(
                request, timeout=5, context=self.tls_context()
            ) as answer:
                return answer.status == 200
        except (OSError, urllib.error.HTTPError):
            return False

    def _wait(self, what: str, service: Service, ready) -> None:
        deadline = time.monotonic() + START_SECONDS
        while not ready():
            if service.process.poll() is not None:
                raise RuntimeError(f"{what} exited:\n{self.log_tail(service)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start:\n{self.log_tail(service)}")
            time.sleep(0.2)
        service.remember_children()

    # Watching and stopping

    def kill_app(self, n: int) -> None:
        app = self.apps[n]
        assert app is not None
        app.kill()

    def pids(self) -> dict[str, list[int]]:
        """Every process of the cluster by service, as far as known now."""
        for service in self.services:
            if service.process.poll() is None:
                service.remember_children()
        return {s.name: sorted(s.known) for s in self.services}

    def stop(self) -> None:
        """Stop every service by PID, the last started first; then check that
        none of their processes is left (RuntimeError naming them if any)."""
        for service in reversed(self.services):
            try:
                service.stop()
            except Exception as error:  # noqa: BLE001 - the others still stop
                print(f"stopping {service.name}: {error!r}", file=sys.stderr)
        left = {s.name: s.left() for s in self.services if s.left()}
        if left:
            raise RuntimeError(f"processes left after stopping the cluster: {left}")

    def log_tail(self, service: Service, size: int = 3000) -> str:
        return serving.log_tail(service.log)[-size:]

    def logs(self) -> str:
        """The end of every log, for a failure message."""
        parts = [f"--- {s.name}\n{self.log_tail(s, 1500)}" for s in self.services]
        return "\n".join(parts)


@contextmanager
def running_cluster(folder: Path, **options) -> Iterator[Cluster]:
    cluster = Cluster(folder, **options)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
