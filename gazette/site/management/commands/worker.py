"""`gazette worker`: the background worker (imports, clean-ups, mail), with
every periodic job queued first."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from gazette.site import periodic, workers


class Command(BaseCommand):
    help = "Run the background task worker, with the periodic jobs scheduled."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="default")
        parser.add_argument("--batch", action="store_true", help="Stop when idle.")

    def handle(self, *args, **options):
        for name in periodic.ensure_scheduled():
            self.stdout.write(f"Scheduled {name}")
        # Its heartbeat tells the other workers it is alive; what the dead
        # ones left running is taken back first (gazette/site/workers.py).
        worker_id = workers.new_worker_id()
        heartbeat = workers.start_heartbeat(worker_id)
        workers.requeue_abandoned_tasks()
        worker_options = {"queue_name": options["queue_name"], "worker_id": worker_id}
        if options["batch"]:
            worker_options["batch"] = True
        try:
            call_command("db_worker", **worker_options)
        finally:
            workers.stop_heartbeat(worker_id, heartbeat)
