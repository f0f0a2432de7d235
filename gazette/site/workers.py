"""Workers that die: each `gazette worker` beats a heartbeat into the database,
and tasks left running by a worker whose heartbeat stopped are queued again.

django-tasks-db claims a task by marking it RUNNING under a row lock, so no
two workers take the same task. What it cannot know is that the worker that
took one was killed (out of memory, a machine lost, `kill -9`): the task would
stay RUNNING for ever. `requeue_abandoned_tasks` gives such a task to another
worker, up to MAX_ATTEMPTS times, then marks it failed so that a task which
itself kills its worker does not take every worker down in turn. Tasks must
therefore be safe to run again, as Gazette's are: an import is one
transaction, renditions and clean-ups are idempotent, and a notification sent
just before its worker died may, rarely, go twice.
"""

import logging
import os
import secrets
import socket
import threading
from datetime import timedelta

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from gazette.site.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

BEAT_EVERY = timedelta(seconds=10)
# Quiet this long, a worker is taken for dead: several missed beats, so that a
# slow database or a long pause of the process is not mistaken for death.
DEAD_AFTER = timedelta(seconds=60)
MAX_ATTEMPTS = 3


def new_worker_id() -> str:
    """host:pid:random, under django-tasks-db's 64 characters."""
    host = socket.gethostname()[:40]
    return f"{host}:{os.getpid()}:{secrets.token_hex(4)}"


def beat(worker_id: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now},
        create_defaults={
            "started_at": now,
            "seen_at": now,
        },
    )


def start_heartbeat(worker_id: str) -> threading.Event:
    """Beat now and then every BEAT_EVERY from a thread of its own (with its
    own database connection) until the returned event is set."""
    beat(worker_id)
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(BEAT_EVERY.total_seconds()):
            try:
                close_old_connections()
                beat(worker_id)
            except Exception:  # a missed beat is retried; the worker goes on
                logger.exception("Worker heartbeat failed")
        connection.close()

    threading.Thread(target=run, name="gazette-heartbeat", daemon=True).start()
    return stop


def stop_heartbeat(worker_id: str, stop: threading.Event) -> None:
    """A worker stopping cleanly removes its row: it left nothing running."""
    stop.set()
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def requeue_abandoned_tasks() -> int:
    """Queue again each task whose worker stopped beating while running it;
    the number queued again (or failed, past MAX_ATTEMPTS)."""
    from django.tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=now - DEAD_AFTER).values_list(
            "worker_id", flat=True
        )
    )
    handled = 0
    with transaction.atomic():
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        for task in running:
            worker = task.worker_ids[-1] if task.worker_ids else ""
            # Started before the worker's first beat could be seen: wait.
            if worker in alive or (
                task.started_at and task.started_at > now - DEAD_AFTER
            ):
                continue
            handled += 1
            if len(task.worker_ids) >= MAX_ATTEMPTS:
                task.status = TaskResultStatus.FAILED
                task.finished_at = now
                task.exception_class_path = "gazette.site.workers.WorkerDied"
                task.traceback = (
                    f"Its worker died {len(task.worker_ids)} times while running it."
                )
                task.save(
                    update_fields=[
                        "status",
                        "finished_at",
                        "exception_class_path",
                        "traceback",
                    ]
                )
                logger.error("Task %s failed: its workers kept dying", task.id)
            else:
                task.status = TaskResultStatus.READY
                task.started_at = None
                task.save(update_fields=["status", "started_at"])
                logger.warning(
                    "Task %s (%s) queued again: worker %s stopped",
                    task.id,
                    task.task_path,
                    worker,
                )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - DEAD_AFTER * 10).delete()
    return handled


class WorkerDied(Exception):
    """Named in a task's result when its workers kept dying while running it."""
