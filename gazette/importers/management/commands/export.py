from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gazette.importers.gazette.export import ExportFailed, export
from gazette.importers.wordpress.export import default_site_url, export_wxr


class Command(BaseCommand):
    help = (
        "Write the whole blog into OUT in Gazette's own open format (JSON Lines "
        "and the pictures; see docs/export-format.md). `import_gazette` reads it back. "
        "With --wxr, write OUT as a WordPress export file (WXR 1.2) instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "out",
            type=Path,
            metavar="OUT",
            help="A new or empty folder; with --wxr, a new file (blog.xml).",
        )
        parser.add_argument(
            "--wxr",
            action="store_true",
            help="Write a WordPress export (WXR 1.2) for WordPress's importer.",
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="With --wxr: the blog's address, for links and the addresses in "
            f"posts (default: {default_site_url()}, from GAZETTE_ALLOWED_HOSTS).",
        )

    def handle(self, *args, **options):
        out: Path = options["out"]
        try:
            if options["wxr"]:
                wxr = export_wxr(out, site_url=options["site_url"])
                made = ", ".join(f"{n} {kind}" for kind, n in wxr.counts.items())
                self.stdout.write(f"Exported to {out} (WordPress WXR 1.2): {made}.")
                return
            exported = export(out)
        except ExportFailed as error:
            raise CommandError(str(error)) from error
        made = ", ".join(
            f"{n} {kind.replace('_', ' ')}" for kind, n in exported.counts.items()
        )
        self.stdout.write(f"Exported to {out}: {made}.")
        for skipped in exported.skipped:
            self.stdout.write(f"Skipped: {skipped}")
