"""`gazette worker`: the background worker (imports, clean-ups, mail), with
every periodic job queued first."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from gazette.site import periodic


class Command(BaseCommand):
    help = "Run the background task worker, with the periodic jobs scheduled."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="default")
        parser.add_argument("--batch", action="store_true", help="Stop when idle.")

    def handle(self, *args, **options):
        for name in periodic.ensure_scheduled():
            self.stdout.write(f"Scheduled {name}")
        worker_options = {"queue_name": options["queue_name"]}
        if options["batch"]:
            worker_options["batch"] = True
        call_command("db_worker", **worker_options)
