from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gazette.importers.gazette.export import ExportFailed, export


class Command(BaseCommand):
    help = (
        "Write the whole blog into OUT_DIR in Gazette's own open format (JSON Lines "
        "and the pictures; see docs/export-format.md). `import_gazette` reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("out_dir", type=Path, help="A new or empty folder.")

    def handle(self, *args, **options):
        out_dir: Path = options["out_dir"]
        try:
            exported = export(out_dir)
        except ExportFailed as error:
            raise CommandError(str(error)) from error
        made = ", ".join(
            f"{n} {kind.replace('_', ' ')}" for kind, n in exported.counts.items()
        )
        self.stdout.write(f"Exported to {out_dir}: {made}.")
        for skipped in exported.skipped:
            self.stdout.write(f"Skipped: {skipped}")
