"""Gazette's settings. Every knob comes from the environment; see .env.example."""

import os
import secrets
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
# State (database, secret key, uploads) lives under var/ beside the checkout.
VAR_DIR = Path(os.environ.get("GAZETTE_VAR_DIR", PACKAGE_DIR.parent / "var"))

# Everything Gazette writes is private to its owner unless said otherwise: the
# SQLite database and its -wal/-shm files (sessions, password hashes, commenters'
# addresses), the secret key, the file cache, uploaded backups. SQLite creates its
# files with the process umask, and every process (the web server's workers, `gazette`
# commands, the task worker) reads these settings before it opens anything.
# Media and collected static files, which a web server in front may serve, are
# given readable modes explicitly (PUBLIC_FILE_MODES in STORAGES below).
os.umask(0o077)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "")
    if value not in ("", "0", "1"):
        raise ImproperlyConfigured(f"{name} must be 0 or 1, not {value!r}")
    return default if value == "" else value == "1"


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        message = f"{name} must be a whole number, not {value!r}"
        raise ImproperlyConfigured(message) from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


def read_or_create_key(path: Path) -> str:
    """Return the secret key kept in `path`, creating it (mode 0600) on first use."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # O_EXCL: when two processes start at once, the second reads the first's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def make_private(path: Path, mode: int) -> None:
    """Give `path`, if it exists and is ours, `mode`: an older install's var/ and
    database were readable by every local user."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return
    if found.st_uid == os.getuid() and stat.S_IMODE(found.st_mode) != mode:
        path.chmod(mode)


VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
make_private(VAR_DIR, 0o700)

DEBUG = env_bool("GAZETTE_DEBUG")
# Under pytest: fast password hashing, uploads in a temp folder, static files unhashed.
TESTING = "pytest" in sys.modules or env_bool("GAZETTE_TESTING")
SECRET_KEY = os.environ.get("GAZETTE_SECRET_KEY") or read_or_create_key(
    VAR_DIR / "secret_key"
)
ALLOWED_HOSTS = env_list("GAZETTE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("GAZETTE_CSRF_TRUSTED_ORIGINS", [])

# Behind TLS (GAZETTE_HTTPS=1) cookies are secure and browsers are told to stay on
# HTTPS. Off by default so that `make run` works on plain http://127.0.0.1:8000.
HTTPS = env_bool("GAZETTE_HTTPS")
if HTTPS:
    SECURE_SSL_REDIRECT = True
    # Load balancers ask for the health check over plain HTTP on the inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("GAZETTE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GAZETTE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("GAZETTE_HSTS_PRELOAD")
# Behind a reverse proxy (nginx, a load balancer) that sets X-Forwarded-For and
# X-Forwarded-Proto: the reader's address is X-Forwarded-For's last hop
# (gazette.lib.http.client_ip), and the scheme is the proxy's, whether or not
# the blog is on HTTPS. Never set it without such a proxy: anyone could then
# choose their own address.
BEHIND_PROXY = env_bool("GAZETTE_BEHIND_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Nothing is loaded from elsewhere: no CDN, font or tracker.
SECURE_CSP = {
    "default-src": ["'self'"],
    # Imported posts keep their pictures' old https addresses until they are
    # fetched into the library (import_blogger --fetch-images).
    "img-src": ["'self'", "data:", "https:"],
    # Videos embedded in imported posts: the hosts gazette.lib.htmlbodies allows.
    "frame-src": [
        "https://www.youtube.com",
        "https://youtube.com",
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
        "https://www.dailymotion.com",
    ],
    "style-src": ["'self'"],
    "script-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

INSTALLED_APPS = [
    # django.contrib.admin, with a site that asks for a two-factor code first.
    "gazette.desk.admin_site.SecondStepAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Its field and index classes serve the PostgreSQL search backend; on SQLite
    # the app is idle but its system checks still want it installed.
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "gazette.site",
    "gazette.limits",
    "gazette.posts",
    "gazette.images",
    "gazette.comments",
    "gazette.accounts",
    "gazette.desk",
    "gazette.search",
    "gazette.importers",
    "gazette.webmentions",
    "gazette.federation",
    "django_tasks_db",
]
# The demo blog (`gazette demo`); a production site may leave it out.
if env_bool("GAZETTE_DEMO", True):
    INSTALLED_APPS.append("gazette.demo")

MIDDLEWARE = [
    # The page cache first, so that a page it keeps has every header the
    # middleware below adds; gazette.wsgi answers hits before Django runs.
    "gazette.lib.pagecache.PageCacheMiddleware",
    # The security headers next: they wrap everything below, so static files
    # (WhiteNoise) get the same set.
    "django.middleware.security.SecurityMiddleware",
    "gazette.lib.middleware.SecurityHeadersMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gazette.lib.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gazette.accounts.middleware.SignInSessionMiddleware",
    # Two-factor sign-in: whether this session gave a code, and the desk's rule.
    "django_otp.middleware.OTPMiddleware",
    "gazette.desk.access.SecondStepMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gazette.site.middleware.SiteTimeZoneMiddleware",
    "gazette.posts.redirects.OldAddressMiddleware",
    # Redis down: what a rate limit guards is refused with a 503, not a 500.
    "gazette.limits.middleware.LimitsUnavailableMiddleware",
]

ROOT_URLCONF = "gazette.urls"
WSGI_APPLICATION = "gazette.wsgi.application"

# A folder of the blog's own templates and static files, outside the package:
# templates/ there win over Gazette's of the same name (any of them, the apps'
# included), and static/ there is served beside Gazette's. See "Your own
# templates and CSS" in the README.
THEME_DIR = Path(theme) if (theme := os.environ.get("GAZETTE_THEME_DIR")) else None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [
            *([THEME_DIR / "templates"] if THEME_DIR else []),
            PACKAGE_DIR / "templates",
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gazette.site.context_processors.site",
            ],
        },
    },
]

# SQLite out of the box; DATABASE_URL=postgres://... when one file is not enough.
DATABASES = {
    # Each thread of each server worker keeps its connection for a minute
    # (so a busy server opens workers x threads of them; see deploy/README.md
    # for sizing PostgreSQL's max_connections), checked before reuse so that a
    # restarted database costs no failed request.
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'gazette.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while a writer commits; IMMEDIATE avoids the
    # "database is locked" error when two requests upgrade to a write at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-32000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Kept open between requests, as for PostgreSQL: opening a connection and
    # running the PRAGMAs above cost a few milliseconds of each request.
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    # SQLite gives a new -wal or -shm file the database file's mode, whatever
    # the umask: an older, world-readable database is made private first.
    if (name := str(DATABASES["default"]["NAME"])) not in ("", ":memory:"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            make_private(Path(name + suffix), 0o600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache is shared by every worker: Redis when several machines serve the blog,
# otherwise files under var/cache, which all the processes on one machine see.
# With Redis, sessions are kept there too (and in the database, so that nobody is
# signed out when Redis restarts), and so are rate limits and one-use tokens
# (gazette/limits/). While Redis is down, pages are rendered fresh and comments
# are refused with a message (gazette/lib/cache.py).
CACHES: dict[str, dict[str, Any]]
if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "gazette.lib.cache.ForgivingRedisCache",
            "LOCATION": redis_url,
            # Short: a page waits at most this long for a Redis that is gone.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# People: sign-in at /desk/, Argon2 passwords, and growing waits for addresses
# that keep failing, which never lock the owner out (gazette/accounts/throttle.py).
AUTHENTICATION_BACKENDS = [
    "gazette.accounts.backends.SignInThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "desk:sign_in"
LOGIN_REDIRECT_URL = "desk:posts"
# A password-reset link works once, for an hour.
PASSWORD_RESET_TIMEOUT = 60 * 60
# Optional two-factor sign-in (gazette/desk/views/two_factor.py). After a wrong
# code a device waits 1, 2, 4, 8... seconds before it takes another. Nobody is
# required to turn it on yet; requiring it of admins would be a later setting.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows secrets or codes
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [
    *([("theme", THEME_DIR / "static")] if THEME_DIR else []),
    PACKAGE_DIR / "static",
]
STATIC_ROOT = Path(os.environ.get("GAZETTE_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("GAZETTE_MEDIA_ROOT", VAR_DIR / "media"))
# Where uploads are kept: "files" under MEDIA_ROOT (a folder every app server
# shares, when there are several), or "s3", an S3-compatible object store
# through django-storages (pip install "gazette[s3]"), set by GAZETTE_S3_*
# and the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
MEDIA_STORAGE = os.environ.get("GAZETTE_MEDIA_STORAGE", "files")
if MEDIA_STORAGE not in ("files", "s3"):
    raise ImproperlyConfigured("GAZETTE_MEDIA_STORAGE must be files or s3")
# In one-machine mode the app serves uploads itself; behind a web server or object
# store, set GAZETTE_SERVE_MEDIA=0 and let that serve MEDIA_URL.
SERVE_MEDIA = env_bool("GAZETTE_SERVE_MEDIA", MEDIA_STORAGE == "files")
# Files stored through Django's storages keep the private umask's modes (the
# uploaded backups under imports/ among them)...
FILE_UPLOAD_PERMISSIONS = None
FILE_UPLOAD_DIRECTORY_PERMISSIONS = None
# ...except media and collected static files, which a web server in front may
# serve: they are readable by other users, explicitly.
PUBLIC_FILE_MODES = {
    "file_permissions_mode": 0o644,
    "directory_permissions_mode": 0o755,
}
# The largest picture the desk accepts.
GAZETTE_MAX_UPLOAD_MB = env_int("GAZETTE_MAX_UPLOAD_MB", 20)
# Readers' pages kept, compressed, in the shared cache (gazette/lib/pagecache.py).
GAZETTE_PAGE_CACHE = env_bool("GAZETTE_PAGE_CACHE", True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": PUBLIC_FILE_MODES,
    }
    if MEDIA_STORAGE == "files"
    else {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("GAZETTE_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("GAZETTE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("GAZETTE_S3_REGION") or None,
            # Served from the bucket's (or a CDN's) own address, unsigned:
            # uploads are public, as on the blog.
            "custom_domain": os.environ.get("GAZETTE_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {
                "CacheControl": "public, max-age=31536000, immutable"
            },
        },
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING or DEBUG
        else "gazette.lib.staticstorage.CompressedManifestStaticFilesStorage",
        "OPTIONS": PUBLIC_FILE_MODES,
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG

# One line per event: JSON (gazette.lib.logs.JsonLines) for log collectors, or
# plain text for a person at a terminal; by default, whichever fits where the
# log goes.
LOG_FORMAT = os.environ.get("GAZETTE_LOG_FORMAT") or (
    "text" if sys.stderr.isatty() else "json"
)
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("GAZETTE_LOG_FORMAT must be json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "gazette.lib.logs.JsonLines"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}
    },
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("GAZETTE_LOG_LEVEL", "INFO"),
    },
    # A refused permission is one line in the log, not a traceback.
    "filters": {
        "one_line_permission_denied": {"()": "gazette.lib.logs.OneLinePermissionDenied"}
    },
    "loggers": {"django.request": {"filters": ["one_line_permission_denied"]}},
}

# Comments: the spam defence's limits (the load test relaxes them through these).
COMMENTS_MIN_SECONDS = env_int("GAZETTE_COMMENTS_MIN_SECONDS", 3)
# Per 10 minutes: one address beyond COMMENTS_PER_IP is asked to wait; a post
# beyond COMMENTS_PER_POST holds its new comments, and refuses them only beyond
# ten times that (a post going viral stays open).
COMMENTS_PER_IP = env_int("GAZETTE_COMMENTS_PER_IP", 5)
COMMENTS_PER_POST = env_int("GAZETTE_COMMENTS_PER_POST", 60)
# Optional second opinion on spam; nothing leaves the machine without it.
AKISMET_KEY = os.environ.get("GAZETTE_AKISMET_KEY", "")
# Commenters' IP addresses and browsers are kept this long for abuse control,
# then erased by a periodic task (gazette/comments/tasks.py).
GAZETTE_IP_RETENTION_DAYS = env_int("GAZETTE_IP_RETENTION_DAYS", 30)
if GAZETTE_IP_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("GAZETTE_IP_RETENTION_DAYS must be 1 or more")
# Outgoing requests (webmentions) refuse private and loopback addresses; tests
# that play a remote site on 127.0.0.1 let loopback through (gazette/lib/fetch.py).
GAZETTE_FETCH_ALLOW_LOOPBACK = env_bool("GAZETTE_FETCH_ALLOW_LOOPBACK")
# The blog as a fediverse account, blog@<host> (gazette/federation/): followers
# are sent its posts. Activities from these instances are refused.
GAZETTE_FEDERATION = env_bool("GAZETTE_FEDERATION", True)
GAZETTE_FEDERATION_BLOCKED = env_list("GAZETTE_FEDERATION_BLOCKED", [])
# Publishing or editing a post sends webmentions to the pages it links to, from
# the task worker (gazette/webmentions/sending.py); 0 turns sending off.
GAZETTE_SEND_WEBMENTIONS = env_bool("GAZETTE_SEND_WEBMENTIONS", True)

# Mail (comment notifications): printed to the log until an SMTP server is named.
DEFAULT_FROM_EMAIL = os.environ.get("GAZETTE_EMAIL_FROM", "gazette@localhost")
if email_host := os.environ.get("GAZETTE_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": email_host,
                "port": env_int("GAZETTE_EMAIL_PORT", 587),
                "username": os.environ.get("GAZETTE_EMAIL_USER", ""),
                "password": os.environ.get("GAZETTE_EMAIL_PASSWORD", ""),
                "use_tls": env_bool("GAZETTE_EMAIL_TLS", True),
                "timeout": 10,
            },
        }
    }
elif email_dir := os.environ.get("GAZETTE_EMAIL_FILE_PATH"):
    # Each message written as a file into this folder (load tests, trials).
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": email_dir},
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Uploaded backups and the pictures an import downloads (kept so that an
# interrupted import resumes); never served.
# Backups uploaded at the desk wait here for the worker: with several machines,
# a folder the app servers and the worker share.
GAZETTE_IMPORT_DIR = Path(os.environ.get("GAZETTE_IMPORT_DIR", VAR_DIR / "imports"))

# Background work (imports, for now) runs in `gazette db_worker`, which `make run`
# starts beside the web server; the queue is a table in the database.
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}

if TESTING:
    # The page cache stays on, as in production: tests that need a fresh render
    # use gazette.test.without_page_cache.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="gazette-test-media-"))
    STATIC_ROOT = MEDIA_ROOT / "static"
    STATIC_ROOT.mkdir()
    GAZETTE_IMPORT_DIR = MEDIA_ROOT.parent / (MEDIA_ROOT.name + "-imports")
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run as they are enqueued, inside the request that enqueues them.
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    # Publishing in a test tells no follower; federation's own tests turn it on.
    GAZETTE_FEDERATION = False
    # No test reaches the network: those about sending turn it on for a fake site.
    GAZETTE_SEND_WEBMENTIONS = False
