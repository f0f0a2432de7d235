"""Many requests racing on one counter or one token, as the production server's
workers do. Each thread has its own database connection and they all start at the same
moment (a barrier), so the database sees truly concurrent statements; the data
must be committed for the threads to see it, hence TransactionTestCase."""

import shutil
import tempfile
import threading
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabase
from django.test import TransactionTestCase, override_settings

from gazette import limits
from gazette.comments import spam
from gazette.limits.models import Tally

THREADS = 24
LIMIT = 5
ROUNDS = 3
TEN_MINUTES = timedelta(minutes=10)
TWO_DAYS = timedelta(days=2)


def race[T](attempt: Callable[[], T], threads: int = THREADS) -> list[T]:
    """Run `attempt` in `threads` threads released at once; their results.
    Any exception in a thread fails the race."""
    start = threading.Barrier(threads)
    results: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            start.wait(timeout=30)
            result = attempt()
            with lock:
                results.append(result)
        except BaseException as error:  # noqa: BLE001 - reported below
            with lock:
                errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    if errors or len(results) != threads:
        raise AssertionError(f"{len(results)} of {threads} finished: {errors!r}")
    return results


class RacingTestCase(TransactionTestCase):
    """Threads racing on a database like production's.

    SQLite's in-memory test database is shared between connections through one
    cache with table locks: a second writer fails at once ("database table is
    locked") where production's database file makes it wait its turn. On
    SQLite these tests therefore move to a database file of their own, holding
    the limits' table only, while the in-memory one stays open for the rest of
    the run. PostgreSQL's test database is used as it is.
    """

    available_apps = ["gazette.limits"]  # the only tables flushed after each test

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        database = connections[DEFAULT_DB_ALIAS]
        if isinstance(database, SQLiteDatabase) and database.is_in_memory_db():
            cls._use_a_database_file(database)

    @classmethod
    def _use_a_database_file(cls, connection: SQLiteDatabase) -> None:
        folder = tempfile.mkdtemp(prefix="gazette-limits-")
        in_memory_name = connection.settings_dict["NAME"]
        # The in-memory database lives as long as this connection is open.
        in_memory = connection.connection
        connection.connection = None
        # Every thread's connection is made from this same settings dict.
        connection.settings_dict["NAME"] = str(Path(folder) / "limits.sqlite3")
        with connection.schema_editor() as editor:
            editor.create_model(Tally)

        def restore() -> None:
            connection.close()
            connection.settings_dict["NAME"] = in_memory_name
            connection.connection = in_memory
            shutil.rmtree(folder)

        cls.addClassCleanup(restore)


class RacingLimitsTest(RacingTestCase):
    def test_each_racing_hit_is_counted_once(self):
        for round in range(ROUNDS):
            totals = race(partial(limits.count, f"flood {round}", TEN_MINUTES))
            self.assertEqual(sorted(totals), list(range(1, THREADS + 1)))
            # So a limit of LIMIT lets exactly LIMIT of them through.
            self.assertEqual(len([t for t in totals if t <= LIMIT]), LIMIT)

    def test_exactly_one_racing_use_of_a_token_wins(self):
        for round in range(ROUNDS):
            uses = race(partial(limits.use_once, f"token {round}", TWO_DAYS))
            self.assertEqual(uses.count(True), 1)


@override_settings(COMMENTS_PER_IP=LIMIT, COMMENTS_PER_POST=1000)
class RacingCommentLimitsTest(RacingTestCase):
    """The comment form's own checks, raced: the probe got 6 comments through a
    limit of 5 and stored one form token twice."""

    def test_exactly_the_limit_of_racing_comments_from_one_address_pass(self):
        def comment() -> bool:
            try:
                spam.check_rate("203.0.113.7", post_id=1)
            except spam.Refused:
                return False
            return True

        self.assertEqual(race(comment).count(True), LIMIT)

    def test_a_form_token_sent_by_many_at_once_is_used_once(self):
        token = spam.read_form_token(spam.make_form_token(1), 1)

        def send() -> bool:
            try:
                spam.use_form_token(token)
            except spam.Refused:
                return False
            return True

        self.assertEqual(race(send).count(True), 1)
