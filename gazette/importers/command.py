"""What the import commands share: a file, --dry-run, a progress bar, a report,
and a clean refusal that names the entry and leaves the blog as it was."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from gazette.importers.fetch import fetch_all
from gazette.importers.load import ProgressCallback, load
from gazette.importers.records import Backup, ImportFailed


class ImportCommand(BaseCommand):
    parse: Callable[[Path], Backup]  # the importer's reader

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and load everything, report, then write nothing.",
        )
        parser.add_argument(
            "--fetch-images",
            action="store_true",
            help="Download the pictures the posts show into the media library "
            "and point the posts at them (resumes where an earlier run stopped).",
        )
        parser.add_argument(
            "--teach-spam-filter",
            action="store_true",
            help="Teach the spam filter the old blog's moderation: its approved "
            "comments as not spam, its spam as spam (after the import).",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            backup = type(self).parse(path)
            fetched = None
            if options["fetch_images"]:
                unique = list({i.ref: i for i in backup.images}.values())
                self.stdout.write(f"Fetching {len(unique)} pictures...")
                fetched = fetch_all(unique, settings.GAZETTE_IMPORT_DIR / "pictures")
            with progress_bar(self, options) as progress:
                report = load(
                    backup,
                    dry_run=options["dry_run"],
                    fetched=fetched,
                    progress=progress,
                    teach_spam_filter=options["teach_spam_filter"],
                )
        except ImportFailed as error:
            raise CommandError(f"Nothing was imported. {error}") from error
        for line in report.lines():
            self.stdout.write(line)


@contextmanager
def progress_bar(command: BaseCommand, options: dict) -> Iterator[ProgressCallback]:
    """A bar with counts and the time left, on a terminal; `progress(done,
    total)` moves it."""
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        disable=options["verbosity"] == 0 or not command.stdout.isatty(),
    ) as bar:
        task = bar.add_task("Importing", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
