from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from gazette.importers.gazette.load import load
from gazette.importers.gazette.parse import read_export
from gazette.importers.records import ImportFailed


class Command(BaseCommand):
    help = (
        "Import a folder written by `gazette export`: settings, accounts, posts and "
        "pages with their revisions, comments, images and old addresses. All or "
        "nothing; importing it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("dir", type=Path, help="The export's folder.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and load everything, report, then write nothing.",
        )

    def handle(self, *args, **options):
        try:
            export = read_export(options["dir"])
            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                disable=options["verbosity"] == 0 or not self.stdout.isatty(),
            ) as bar:
                task = bar.add_task("Importing", total=export.total)
                report = load(
                    export,
                    dry_run=options["dry_run"],
                    progress=lambda done, total: bar.update(
                        task, completed=done, total=total
                    ),
                )
        except ImportFailed as error:
            raise CommandError(f"Nothing was imported. {error}") from error
        for line in report.lines():
            self.stdout.write(line)
