from datetime import timedelta

from django.core.management import call_command
from django.test import TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gazette.site import periodic

RUNS: list[str] = []
DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}


def sweep() -> None:
    RUNS.append("swept")


@override_settings(TASKS=DATABASE_QUEUE)
class PeriodicTest(TransactionTestCase):
    def setUp(self):
        RUNS.clear()
        periodic.periodic(every=timedelta(hours=6))(sweep)
        self.name = f"{__name__}.sweep"
        self.addCleanup(periodic.JOBS.pop, self.name)

    def waiting(self):
        return DBTaskResult.objects.filter(finished_at__isnull=True)

    def test_each_job_is_queued_once_and_queues_its_next_run(self):
        self.assertIn(self.name, periodic.ensure_scheduled())
        self.assertNotIn(self.name, periodic.ensure_scheduled())
        self.assertEqual(
            [r.args_kwargs["args"] for r in self.waiting()].count([self.name]), 1
        )
        call_command("db_worker", batch=True, verbosity=0)
        self.assertEqual(RUNS, ["swept"])
        next_run = self.waiting().get(args_kwargs__args=[self.name])
        expected = timezone.now() + timedelta(hours=6)
        self.assertLess(abs(next_run.run_after - expected), timedelta(minutes=1))
