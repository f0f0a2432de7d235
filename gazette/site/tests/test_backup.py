"""`gazette backup` and `gazette restore`, run as people run them: each command in
its own process, against a site of its own (a folder for GAZETTE_VAR_DIR and a
database). The database is of the engine the suite runs on: an SQLite file, or a
scratch PostgreSQL database beside the test database under scripts/with-postgres,
so each engine's path is tested by its own suite run.

Processes, not the test's own connection: a backup must see committed rows, and
a restore must land in a database no test transaction wraps.
"""

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.db import connection
from django.test import SimpleTestCase

from gazette.site import backups

# The blog to back up: two posts with hashtags, one showing an uploaded
# picture, a comment, and a changed setting.
BUILD_BLOG = """
from datetime import timedelta

from django.core.management import call_command

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as Picture

from gazette.images.storing import add_image
from gazette.images.uploads import clean_upload
from gazette.posts.models import Post
from gazette.posts.writing import write_entry
from gazette.site.models import SiteSettings
from gazette.site.writing import write_site_settings
from gazette.test import add_comment

call_command("migrate", verbosity=0)
alice = get_user_model().objects.create_user(
    "alice", "alice@example.org", "a long pass phrase"
)
buffer = io.BytesIO()
Picture.new("RGB", (64, 48), (30, 90, 140)).save(buffer, "PNG")
upload = SimpleUploadedFile("harbour.png", buffer.getvalue(), "image/png")
image = add_image(clean_upload(upload), caption="The harbour", uploaded_by=alice)
now = timezone.now()
first = Post(
    title="Boats at dawn",
    slug="boats-at-dawn",
    body=f"![The harbour]({image.file.url})\\n\\nFishing boats and #Sea air.",
    status="published",
    published_at=now - timedelta(days=2),
    author=alice,
)
write_entry(first, ["Harbour Life"], keep_revision=False)
second = Post(
    title="Nets",
    slug="nets",
    body="Mending nets by the #harbour.",
    status="published",
    published_at=now - timedelta(days=1),
    author=alice,
)
write_entry(second, [], keep_revision=False)
add_comment(first, "Dana", "Lovely boats.", author_email="dana@example.org")
site = SiteSettings.load()
site.title = "Harbour Notes"
write_site_settings(site)
"""

# What a reader and the desk would see of a blog, as JSON, and whether its pages
# render: compared between the backed-up site and the restored one.
DESCRIBE_BLOG = """
import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from gazette.comments.models import Comment
from gazette.images.models import Image
from gazette.posts.models import Post
from gazette.site.models import SiteSettings

client = Client(HTTP_HOST="localhost")
home = client.get("/")
first = Post.objects.order_by("published_at").first()
page = client.get(first.get_absolute_url()) if first else None
blog = {
    "title": SiteSettings.objects.get().title,
    "users": [[u.username, u.email, u.password] for u in get_user_model().objects.all()],
    "posts": [
        [p.slug, p.title, p.body_html, sorted(h.name for h in p.hashtags.all())]
        for p in Post.objects.order_by("slug")
    ],
    "comments": [
        [c.post.slug, c.author_name, c.author_email, c.body, c.status]
        for c in Comment.objects.order_by("pk")
    ],
    "images": [
        [
            i.file.name,
            i.caption,
            hashlib.sha256((settings.MEDIA_ROOT / i.file.name).read_bytes()).hexdigest(),
        ]
        for i in Image.objects.order_by("pk")
    ],
    "home": [home.status_code, "Harbour Notes" in home.text and "Nets" in home.text],
    "post_page": page and [page.status_code, "Lovely boats." in page.text],
}
print(json.dumps(blog))
"""

# `gazette restore` with each archive named on the command line, in one process
# (each would take a second or two to start alone); for each, what it answered
# and the number of tables in the database afterwards.
RESTORE_EACH = """
import sys

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

results = []
for archive in sys.argv[1:]:
    try:
        call_command("restore", archive, stdout=io.StringIO())
        answer = "restored"
    except CommandError as error:
        answer = str(error)
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    results.append([answer, len(tables)])
print(json.dumps(results))
"""

ADD_POST = """
from django.contrib.auth import get_user_model
from django.utils import timezone

from gazette.posts.models import Post
from gazette.posts.writing import write_entry

post = Post(
    title="Written after the backup",
    slug="after",
    body="Not in the backup.",
    status="published",
    published_at=timezone.now(),
    author=get_user_model().objects.get(username="alice"),
)
write_entry(post, [], keep_revision=False)
"""


def _on_server(statement: str) -> None:
    """Run `statement` on the PostgreSQL server the suite uses, from its
    maintenance database (the test database may not exist: no test here needs it)."""
    config = connection.settings_dict
    with psycopg.connect(
        dbname="postgres",
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        autocommit=True,
    ) as server:
        server.execute(statement)


class Site:
    """One installation of Gazette: a folder for its state and a database of the
    engine the suite runs on (an SQLite file, or a new PostgreSQL database)."""

    def __init__(self, root: Path, name: str):
        self.folder = root / name
        self.folder.mkdir()
        self.media = self.folder / "media"
        settings = connection.settings_dict
        if connection.vendor == "postgresql":
            self.database = f"gazette_backup_{uuid.uuid4().hex[:12]}"
            _on_server(f'CREATE DATABASE "{self.database}"')
            user = quote(settings["USER"] or "", safe="")
            password = quote(settings["PASSWORD"] or "", safe="")
            credentials = f"{user}:{password}@" if password else f"{user}@"
            place = f"{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}"
            self.url = f"postgres://{credentials}{place}/{self.database}"
        else:
            self.database = str(self.folder / "gazette.sqlite3")
            self.url = f"sqlite:///{self.database}"

    def drop(self) -> None:
        if connection.vendor == "postgresql":
            _on_server(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    @property
    def env(self) -> dict[str, str]:
        # Nothing of the test run's own configuration leaks in.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GAZETTE_", "PG"))
            and k not in ("DATABASE_URL", "REDIS_URL")
        }
        env |= {
            "DJANGO_SETTINGS_MODULE": "gazette.settings",
            "GAZETTE_VAR_DIR": str(self.folder),
            "GAZETTE_MEDIA_ROOT": str(self.media),
            "DATABASE_URL": self.url,
            "GAZETTE_SECRET_KEY": "backup tests",
            # Static files unhashed, so pages render without collectstatic.
            "GAZETTE_DEBUG": "1",
        }
        return env

    def gazette(self, *args: str | Path) -> subprocess.CompletedProcess:
        """Run `gazette ARGS` for this site, as a person would."""
        command = [sys.executable, "-m", "gazette", *map(str, args)]
        return subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=120
        )

    def python(self, script: str, *args: str | Path) -> str:
        """Run `script` in a process set up for this site; its output."""
        prelude = "import io, json, django\ndjango.setup()\n"
        done = subprocess.run(
            [sys.executable, "-c", prelude + script, *map(str, args)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise AssertionError(f"The script failed:\n{done.stderr}")
        return done.stdout

    def describe(self) -> dict:
        return json.loads(self.python(DESCRIBE_BLOG))

    def restore_each(self, *archives: Path) -> list[tuple[str, int]]:
        return json.loads(self.python(RESTORE_EACH, *archives))

    def post_slugs(self) -> list[str]:
        """The posts' slugs, read without Django."""
        query = "SELECT slug FROM posts_post ORDER BY slug"
        if connection.vendor == "postgresql":
            with psycopg.connect(self.url.replace("postgres://", "postgresql://")) as c:
                return [row[0] for row in c.execute(query)]
        with sqlite3.connect(self.database) as db:
            return [row[0] for row in db.execute(query)]

    def table_count(self) -> int:
        """Tables in the site's database, read without Django (0 for none yet)."""
        if connection.vendor == "postgresql":
            with psycopg.connect(self.url.replace("postgres://", "postgresql://")) as c:
                query = "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"
                return c.execute(query).fetchone()[0]  # type: ignore[index]
        if not Path(self.database).exists():
            return 0
        with sqlite3.connect(self.database) as db:
            query = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
            return db.execute(query).fetchone()[0]


def rewritten(archive: Path, out: Path, *, manifest=None, extra=()) -> Path:
    """A copy of `archive` with `manifest` changes and `extra` members (TarInfo,
    bytes) added at its end."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(out, "w:gz") as copy:
        for member in source:
            reader = source.extractfile(member)
            data = reader.read() if reader else b""
            if member.name == backups.MANIFEST and manifest:
                data = json.dumps(json.loads(data) | manifest).encode()
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
        for member, data in extra:
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return out


class BackupTests(SimpleTestCase):
    """A blog is built and backed up once; each test restores that archive (or a
    damaged or hostile copy of it) into sites of its own."""

    root: Path
    archive: Path
    blog: dict
    source: Site
    sites: list[Site]
    backed_up: subprocess.CompletedProcess

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = Path(tempfile.mkdtemp(prefix="gazette-backup-test-"))
        cls.sites = []
        # Class clean-ups run even when set-up fails half-way.
        cls.addClassCleanup(shutil.rmtree, cls.root, ignore_errors=True)
        cls.addClassCleanup(cls.drop_sites)
        cls.source = cls.site("source")
        cls.source.python(BUILD_BLOG)
        cls.archive = cls.root / "blog.tar.gz"
        cls.backed_up = cls.source.gazette("backup", "--output", cls.archive)
        cls.blog = cls.source.describe()

    @classmethod
    def drop_sites(cls) -> None:
        for site in cls.sites:
            site.drop()

    @classmethod
    def site(cls, name: str) -> Site:
        made = Site(cls.root, f"{name}-{uuid.uuid4().hex[:6]}")
        cls.sites.append(made)
        return made

    def assertRefused(self, done: subprocess.CompletedProcess, *phrases: str) -> None:
        self.assertNotEqual(done.returncode, 0, done.stdout)
        for phrase in phrases:
            self.assertIn(phrase, done.stderr)

    def test_it_writes_one_private_archive_with_a_manifest(self):
        self.assertEqual(self.backed_up.returncode, 0, self.backed_up.stderr)
        self.assertIn("2 posts, 0 pages, 1 comments, 1 images", self.backed_up.stdout)
        self.assertEqual(self.archive.stat().st_mode & 0o777, 0o600)
        # No temporary file is left beside it.
        self.assertEqual([p.name for p in self.root.glob(".*")], [])
        manifest = backups.read_manifest(self.archive)
        self.assertEqual(manifest.engine, connection.vendor)
        self.assertEqual(manifest.counts["comments"], 1)
        self.assertEqual(manifest.migrations["posts"][:4].isdigit(), True)
        with tarfile.open(self.archive) as tar:
            names = tar.getnames()
        self.assertEqual(names[0], "manifest.json")
        self.assertIn(backups.DATABASE_MEMBERS[connection.vendor], names)
        image_name = self.blog["images"][0][0]
        self.assertIn(f"media/{image_name}", names)

    def test_it_restores_the_same_blog_into_an_empty_database(self):
        # The blog has what the comparison is about.
        self.assertEqual(self.blog["title"], "Harbour Notes")
        self.assertEqual(len(self.blog["posts"]), 2)
        self.assertEqual(self.blog["posts"][0][3], ["Harbour Life", "Sea"])
        self.assertEqual(len(self.blog["comments"]), 1)
        self.assertEqual(len(self.blog["images"]), 1)
        self.assertEqual(self.blog["home"], [200, True])
        self.assertEqual(self.blog["post_page"], [200, True])
        copy = self.site("copy")

        done = copy.gazette("restore", self.archive)

        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("2 posts, 0 pages, 1 comments, 1 images", done.stdout)
        self.assertEqual(copy.describe(), self.blog)
        image = copy.media / self.blog["images"][0][0]
        self.assertEqual(image.stat().st_mode & 0o777, 0o644)
        self.assertEqual(list(copy.media.glob(".gazette-restore-*")), [])
        if connection.vendor == "sqlite":
            database = Path(copy.database)
            self.assertEqual(database.stat().st_mode & 0o777, 0o600)
            self.assertEqual(list(database.parent.glob(".gazette-restore-*")), [])

    def test_it_replaces_a_database_that_is_not_empty_only_when_told(self):
        copy = self.site("copy")
        self.assertEqual(copy.gazette("restore", self.archive).returncode, 0)
        copy.python(ADD_POST)

        refused = copy.gazette("restore", self.archive)

        self.assertRefused(refused, "not empty", "--replace")
        self.assertEqual(copy.post_slugs(), ["after", "boats-at-dawn", "nets"])

        replaced = copy.gazette("restore", "--replace", self.archive)

        self.assertEqual(replaced.returncode, 0, replaced.stderr)
        self.assertEqual(copy.describe(), self.blog)

    def test_it_refuses_names_outside_media_and_links(self):
        outside = self.root / "outside"
        link = tarfile.TarInfo("media/images/link")
        link.type, link.linkname = tarfile.SYMTYPE, "../../../outside"
        hostile = {
            "climbing.tar.gz": [(tarfile.TarInfo("media/../../outside"), b"x")],
            "link.tar.gz": [
                (link, b""),
                (tarfile.TarInfo("media/images/link/planted"), b"x"),
            ],
        }
        archives = [
            rewritten(self.archive, self.root / name, extra=extra)
            for name, extra in hostile.items()
        ]
        target = self.site("target")

        answers = target.restore_each(*archives)

        for answer, tables in answers:
            self.assertIn("refused", answer)
            self.assertEqual(tables, 0)
        self.assertEqual(len(answers), 2)
        self.assertFalse(outside.exists())
        self.assertEqual(list(target.media.rglob("*")), [])

    def test_it_refuses_a_backup_of_the_other_engine(self):
        other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
        archive = rewritten(
            self.archive, self.root / "other.tar.gz", manifest={"engine": other}
        )
        target = self.site("target")

        done = target.gazette("restore", archive)

        self.assertRefused(done, "same engine", "gazette export", "import_gazette")
        self.assertEqual(target.table_count(), 0)

    def test_it_refuses_damaged_foreign_and_newer_archives(self):
        whole = self.archive.read_bytes()
        flipped = bytearray(whole)
        flipped[len(whole) * 2 // 3] ^= 0xFF
        foreign = io.BytesIO()
        with tarfile.open(fileobj=foreign, mode="w:gz") as tar:
            tar.addfile(tarfile.TarInfo("notes.txt"), io.BytesIO(b""))
        cases = {
            "truncated.tar.gz": (whole[: len(whole) // 2], "damaged"),
            "flipped.tar.gz": (bytes(flipped), "damaged"),
            "notes.txt": (b"Shopping list\n", "not a Gazette backup"),
            "foreign.tar.gz": (foreign.getvalue(), "not a Gazette backup"),
        }
        archives = []
        for name, (data, _) in cases.items():
            archives.append(self.root / name)
            archives[-1].write_bytes(data)
        archives.append(
            rewritten(self.archive, self.root / "newer.tar.gz", manifest={"format": 9})
        )
        reasons = [reason for _, reason in cases.values()] + ["newer Gazette"]
        target = self.site("target")

        answers = target.restore_each(*archives)

        self.assertEqual(len(answers), len(reasons))
        for (answer, tables), reason in zip(answers, reasons, strict=True):
            self.assertIn(reason, answer)
            self.assertEqual(tables, 0)
        self.assertEqual(target.table_count(), 0)
