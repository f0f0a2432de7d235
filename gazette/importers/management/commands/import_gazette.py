from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gazette.importers.command import progress_bar
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
            with progress_bar(self, options) as progress:
                report = load(export, dry_run=options["dry_run"], progress=progress)
        except ImportFailed as error:
            raise CommandError(f"Nothing was imported. {error}") from error
        for line in report.lines():
            self.stdout.write(line)
