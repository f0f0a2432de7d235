from datetime import timedelta

from django.core.management import call_command
from django.tasks.base import TaskResultStatus
from django.test import TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gazette.site import periodic, workers
from gazette.site.models import WorkerHeartbeat

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
            [r.args_kwargs["args"][0] for r in self.waiting()].count(self.name), 1
        )
        call_command("db_worker", batch=True, verbosity=0)
        self.assertEqual(RUNS, ["swept"])
        next_run = self.waiting().get(args_kwargs__args__0=self.name)
        expected = timezone.now() + timedelta(hours=6)
        self.assertLess(abs(next_run.run_after - expected), timedelta(minutes=1))

    def test_twin_runs_for_one_period_run_once_and_leave_one_chain(self):
        # Two workers starting together both queued the job for this period.
        due = str(int(timezone.now().timestamp() // timedelta(hours=6).total_seconds()))
        for _ in range(2):
            periodic.run_periodic.enqueue(self.name, due)
        call_command("db_worker", batch=True, verbosity=0)
        self.assertEqual(RUNS, ["swept"])
        self.assertEqual(
            self.waiting().filter(args_kwargs__args__0=self.name).count(), 1
        )


@override_settings(TASKS=DATABASE_QUEUE)
class AbandonedTaskTest(TransactionTestCase):
    """A task left RUNNING by a worker that died is queued again; one whose
    workers keep dying is failed; a live worker's task is left alone."""

    def running_task(self, *workers_ids: str, minutes_ago: float = 5) -> DBTaskResult:
        result = periodic.run_periodic.enqueue("gazette.nothing")
        row = DBTaskResult.objects.get(pk=result.id)
        row.status = TaskResultStatus.RUNNING
        row.worker_ids = list(workers_ids)
        row.started_at = timezone.now() - timedelta(minutes=minutes_ago)
        row.save()
        return row

    def test_the_task_of_a_dead_worker_runs_again(self):
        alive = workers.new_worker_id()
        workers.beat(alive)
        WorkerHeartbeat.objects.create(
            worker_id="gone:1:aa",
            started_at=timezone.now() - timedelta(hours=1),
            seen_at=timezone.now() - timedelta(minutes=10),
        )
        orphan = self.running_task("gone:1:aa")
        busy = self.running_task(alive)
        just_started = self.running_task("new:2:bb", minutes_ago=0.1)
        self.assertEqual(workers.requeue_abandoned_tasks(), 1)
        orphan.refresh_from_db()
        self.assertEqual(orphan.status, TaskResultStatus.READY)
        for row in (busy, just_started):
            row.refresh_from_db()
            self.assertEqual(row.status, TaskResultStatus.RUNNING)
        # And a worker takes it.
        call_command("db_worker", batch=True, verbosity=0)
        orphan.refresh_from_db()
        self.assertEqual(orphan.status, TaskResultStatus.SUCCESSFUL)

    def test_a_task_that_keeps_killing_its_workers_fails(self):
        doomed = self.running_task("a:1:aa", "b:2:bb", "c:3:cc")
        self.assertEqual(workers.requeue_abandoned_tasks(), 1)
        doomed.refresh_from_db()
        self.assertEqual(doomed.status, TaskResultStatus.FAILED)
        self.assertIn("died 3 times", doomed.traceback)

    def test_the_worker_command_beats_and_clears_its_heartbeat(self):
        with override_settings(TASKS=DATABASE_QUEUE):
            orphan = self.running_task("gone:1:aa")
            call_command("worker", batch=True, verbosity=0)
        orphan.refresh_from_db()
        self.assertEqual(orphan.status, TaskResultStatus.SUCCESSFUL)
        self.assertEqual(len(orphan.worker_ids), 2)
        self.assertFalse(WorkerHeartbeat.objects.exists())
