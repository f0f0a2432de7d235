import os
import stat
import subprocess
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase

from gazette.settings import env_bool, read_or_create_key
from gazette.test import settings_seen_by_gazette

ROOT = Path(__file__).resolve().parents[2]


def run_gazette(
    *args: str, env: dict[str, str], tmp: str
) -> subprocess.CompletedProcess:
    """Run the `gazette` command in a fresh process, as a user would."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GAZETTE_", "DATABASE_URL", "DJANGO_"))
    }
    environment |= {"GAZETTE_VAR_DIR": tmp, "PYTHONPATH": str(ROOT)} | env
    return subprocess.run(
        [sys.executable, "-m", "gazette", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


class SettingsTest(SimpleTestCase):
    def test_env_bool_refuses_unclear_values(self):
        os.environ["GAZETTE_TEST_FLAG"] = "yes"
        try:
            with self.assertRaisesMessage(ImproperlyConfigured, "must be 0 or 1"):
                env_bool("GAZETTE_TEST_FLAG")
        finally:
            del os.environ["GAZETTE_TEST_FLAG"]
        self.assertTrue(env_bool("GAZETTE_TEST_UNSET", default=True))

    def test_the_secret_key_is_made_once_and_kept_private(self):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "var" / "secret_key"
            key = read_or_create_key(path)
            self.assertGreaterEqual(len(key), 50)
            self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)
            self.assertEqual(read_or_create_key(path), key)

    def test_deploy_checks_pass_with_production_settings(self):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            production = {
                "GAZETTE_SECRET_KEY": "x7-" + "k" * 20 + "Qz9!" + "m" * 30,
                "GAZETTE_ALLOWED_HOSTS": "blog.example.org",
                "GAZETTE_HTTPS": "1",
                "GAZETTE_DEBUG": "0",
                "GAZETTE_EMAIL_HOST": "smtp.example.org",
            }
            result = run_gazette("check", "--deploy", env=production, tmp=tmp)
        self.assertEqual(result.returncode, 0, result.stderr)
        output = result.stdout + result.stderr
        self.assertNotIn("ERRORS", output)
        # Joining the browsers' HSTS preload list is a promise an owner makes
        # (GAZETTE_HSTS_PRELOAD=1), so its warning is the only one allowed.
        warnings = [line for line in output.splitlines() if line.startswith("?: (")]
        self.assertEqual([w.split(")")[0] for w in warnings], ["?: (security.W021"])

    def test_a_bad_setting_stops_start_up_with_a_clear_message(self):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            result = run_gazette("check", env={"GAZETTE_DEBUG": "true"}, tmp=tmp)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("GAZETTE_DEBUG must be 0 or 1", result.stderr)


class ScaleOutSettingsTest(SimpleTestCase):
    """What the environment alone selects when a blog outgrows one machine."""

    def test_redis_takes_the_cache_and_the_sessions(self):
        cache, sessions = settings_seen_by_gazette(
            {"REDIS_URL": "redis://127.0.0.1:6390/0"},
            "s.CACHES['default']['BACKEND']",
            "s.SESSION_ENGINE",
        )
        self.assertEqual(cache, "'gazette.lib.cache.ForgivingRedisCache'")
        self.assertEqual(sessions, "'django.contrib.sessions.backends.cached_db'")
        cache, sessions = settings_seen_by_gazette(
            {}, "s.CACHES['default']['BACKEND']", "s.SESSION_ENGINE"
        )
        self.assertIn("FileBasedCache", cache)
        self.assertEqual(sessions, "'django.contrib.sessions.backends.db'")

    def test_uploads_may_go_to_an_s3_compatible_store(self):
        storage, options, serve = settings_seen_by_gazette(
            {
                "GAZETTE_MEDIA_STORAGE": "s3",
                "GAZETTE_S3_BUCKET": "blog-media",
                "GAZETTE_S3_ENDPOINT_URL": "https://s3.example.net",
            },
            "s.STORAGES['default']['BACKEND']",
            "s.STORAGES['default']['OPTIONS']['bucket_name'], "
            "s.STORAGES['default']['OPTIONS']['endpoint_url'], "
            "s.STORAGES['default']['OPTIONS']['file_overwrite']",
            "s.SERVE_MEDIA",
        )
        self.assertEqual(storage, "'storages.backends.s3.S3Storage'")
        self.assertEqual(options, "('blog-media', 'https://s3.example.net', False)")
        self.assertEqual(serve, "False")

    def test_an_unknown_media_storage_is_refused(self):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            done = run_gazette("check", env={"GAZETTE_MEDIA_STORAGE": "ftp"}, tmp=tmp)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("GAZETTE_MEDIA_STORAGE must be files or s3", done.stderr)
