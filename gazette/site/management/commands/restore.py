"""`gazette restore ARCHIVE`: a backup made by `gazette backup` put back, into an
empty database unless --replace says otherwise (see gazette/site/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gazette.site.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `gazette backup`: the database and the uploaded "
        "files. Only into an empty database unless --replace is given, and only "
        "into the engine it came from (use export/import_gazette to change engines)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, metavar="ARCHIVE")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Overwrite a database that already has tables (this site's data "
            "is replaced by the backup's).",
        )

    def handle(self, *args, **options) -> None:
        try:
            restored = restore_backup(options["archive"], replace=options["replace"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = restored.manifest
        counts = ", ".join(f"{n} {kind}" for kind, n in restored.counts.items())
        self.stdout.write(
            f"Restored the backup of {manifest.created_at} (Gazette "
            f"{manifest.gazette_version}): {counts}, {restored.media_files} media files."
        )
        if restored.counts != manifest.counts:
            expected = ", ".join(f"{n} {k}" for k, n in manifest.counts.items())
            self.stderr.write(f"The backup's manifest listed {expected}.")
        if restored.needs_migrate:
            self.stdout.write(
                "The backup comes from an older Gazette: run `gazette migrate` now."
            )
