"""Load tests start the production server (`gazette serve`) in other processes, which
must see the rows a test commits. On SQLite the test database is therefore a file
in a temp folder rather than Django's usual in-memory database."""

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix,
    tmp_path_factory,
):
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("loadtest-db")
        db.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
