"""`gazette backup`: the database and the uploaded files in one archive, which
`gazette restore` reads back (see gazette/site/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gazette.site.backups import BackupError, default_archive_name, write_backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite or PostgreSQL) and the uploaded files into one "
        "archive, readable only by its owner: it holds password hashes and "
        "commenters' addresses. `gazette restore ARCHIVE` reads it back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            metavar="PATH",
            help="Where to write it (default: gazette-backup-YYYYmmdd-HHMMSS.tar.gz "
            "in the current folder).",
        )

    def handle(self, *args, **options) -> None:
        output = options["output"] or Path.cwd() / default_archive_name()
        try:
            made = write_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{n} {kind}" for kind, n in made.manifest.counts.items())
        self.stdout.write(
            f"Backed up to {made.path} ({made.size / 1e6:.1f} MB): {counts}, "
            f"{made.media_files} media files."
        )
        for skipped in made.skipped:
            self.stdout.write(f"Left out (a link or not a regular file): {skipped}")
