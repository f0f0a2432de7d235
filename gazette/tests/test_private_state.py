"""What Gazette keeps under var/ (the database, the secret key, the file cache,
uploaded backups) is readable by its owner alone; media stays readable."""

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run_gazette(var_dir: Path, *args: str, code: str = "") -> str:
    """`gazette <args>` in a fresh process, with var/ in `var_dir` and the
    production settings' file cache (not the tests' in-memory one)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GAZETTE_", "DATABASE_URL", "DJANGO_", "REDIS_URL"))
    }
    env |= {"PYTHONPATH": str(ROOT), "GAZETTE_VAR_DIR": str(var_dir)}
    command = ["-c", code] if code else ["-m", "gazette", *args]
    result = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


# Writes through the cache, an uploaded backup and a media file, as the site does.
USE_STORAGES = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gazette.settings")
django.setup()
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from gazette.importers.models import ImportJob
cache.set("probe", "secret")
ImportJob._meta.get_field("file").storage.save("2025/backup.xml", ContentFile(b"x"))
default_storage.save("images/2025/picture.jpg", ContentFile(b"x"))
# While a connection is open, SQLite's -wal and -shm files exist: their modes.
from pathlib import Path
from django.contrib.sessions.models import Session
from django.db import connection
Session.objects.count()
name = connection.settings_dict["NAME"]
for suffix in ("-wal", "-shm"):
    print(suffix, oct(Path(str(name) + suffix).stat().st_mode & 0o777))
"""


class PrivateStateTest(SimpleTestCase):
    def test_var_and_what_gazette_writes_there_are_private(self):
        with tempfile.TemporaryDirectory() as tmp:
            var = Path(tmp) / "var"
            run_gazette(var, "migrate", "--noinput", "-v0")
            live = run_gazette(var, code=USE_STORAGES)
            self.assertEqual(live.split(), ["-wal", "0o600", "-shm", "0o600"])

            self.assertEqual(mode(var), 0o700)
            self.assertEqual(mode(var / "secret_key"), 0o600)
            database = var / "gazette.sqlite3"
            for path in [database, *var.glob("gazette.sqlite3-*")]:
                with self.subTest(path.name):
                    self.assertEqual(mode(path), 0o600)
            cache = var / "cache"
            self.assertEqual(mode(cache), 0o700)
            cached = list(cache.iterdir())
            self.assertTrue(cached)
            for path in cached:
                self.assertEqual(mode(path), 0o600, path.name)
            uploads = var / "imports" / "uploads"
            for path in [var / "imports", uploads, uploads / "2025"]:
                self.assertEqual(mode(path), 0o700, path)
            self.assertEqual(mode(uploads / "2025" / "backup.xml"), 0o600)
            # Media may be served by a web server in front: readable, explicitly.
            media = var / "media"
            self.assertEqual(mode(media / "images" / "2025"), 0o755)
            self.assertEqual(mode(media / "images" / "2025" / "picture.jpg"), 0o644)

    def test_an_older_readable_var_and_database_become_private(self):
        with tempfile.TemporaryDirectory() as tmp:
            var = Path(tmp) / "var"
            var.mkdir(mode=0o755)
            var.chmod(0o755)
            database = var / "gazette.sqlite3"
            database.touch()
            database.chmod(0o644)
            run_gazette(var, "migrate", "--noinput", "-v0")
            self.assertEqual(mode(var), 0o700)
            for path in [database, *var.glob("gazette.sqlite3-*")]:
                with self.subTest(path.name):
                    self.assertEqual(mode(path), 0o600)


class CompressedStaticFilesTest(SimpleTestCase):
    def test_the_compressed_copies_are_as_readable_as_the_files(self):
        from gazette.lib.staticstorage import _ReadableCompressor

        with tempfile.TemporaryDirectory() as tmp:
            css = Path(tmp) / "site.css"
            css.write_text("body { color: black; }\n" * 200)
            old = os.umask(0o077)
            try:
                written = list(
                    _ReadableCompressor(mode=0o644, quiet=True).compress(str(css))
                )
            finally:
                os.umask(old)
            self.assertTrue(written)
            for path in written:
                self.assertEqual(mode(Path(path)), 0o644, path)
