"""Work that repeats (clean-ups, erasing old personal data), run by the task
worker with no cron.

An app registers a plain function with `@periodic(every=...)` in its `tasks`
module. `gazette worker` calls `ensure_scheduled()` as it starts: every periodic
job without a pending run is queued once, and each run queues the next one
`every` later. Two workers starting at the same moment may both queue a job:
each run carries the period it is due in, and only the first run for that
period goes ahead (a one-use token in gazette.limits, shared by every worker), so the
twin neither runs nor queues a next one and the job is back to one chain.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.tasks import default_task_backend, task
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

DAY = timedelta(days=1)  # how long a run's token is kept, at the least


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], object]
    every: timedelta


JOBS: dict[str, Job] = {}


def periodic(every: timedelta) -> Callable:
    """Register the decorated function to run every `every`, named by its path."""

    def register(function: Callable[[], object]) -> Callable[[], object]:
        name = f"{function.__module__}.{function.__qualname__}"
        JOBS[name] = Job(name, function, every)
        return function

    return register


@task()
def run_periodic(name: str, due: str = "") -> None:
    """One run of a registered job, then the next run queued; nothing if
    another run due at the same time came first."""
    from gazette import limits

    discover()
    job = JOBS.get(name)
    if job is None:  # a job removed from the code since it was queued
        return
    if due and not limits.use_once(f"periodic:{name}:{due}", max(job.every, DAY)):
        return
    try:
        job.run()
    finally:
        _queue(job, timezone.now() + job.every)


def ensure_scheduled() -> list[str]:
    """Queue every registered job that has no run waiting; the names queued."""
    discover()
    if not default_task_backend.supports_defer:
        return []  # the immediate backend (tests) would run them forever
    waiting = _waiting_names()
    queued = []
    for job in JOBS.values():
        if job.name not in waiting:
            _queue(job, timezone.now())
            queued.append(job.name)
    return queued


def discover() -> None:
    autodiscover_modules("tasks")


def _queue(job: Job, when) -> None:
    if default_task_backend.supports_defer:
        # The period the run falls in, as its number since the epoch: runs
        # queued by different workers at slightly different times share it.
        due = str(int(when.timestamp() // job.every.total_seconds()))
        run_periodic.using(run_after=when).enqueue(job.name, due)


def _waiting_names() -> set[str]:
    """Jobs with a run queued and not yet finished (database queue only)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - another queue; queue again, harmlessly
        return set()
    path = f"{run_periodic.func.__module__}.{run_periodic.func.__qualname__}"
    rows = DBTaskResult.objects.filter(task_path=path, finished_at__isnull=True)
    return {
        args[0] for args in rows.values_list("args_kwargs__args", flat=True) if args
    }
