from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gazette.importers import formats
from gazette.importers.check_links import check
from gazette.importers.records import ImportFailed


class Command(BaseCommand):
    help = (
        "Replay every old address in a Blogger or WordPress backup against the "
        "running site; exit status 1 if any does not end on the right page."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup that was imported.")
        parser.add_argument(
            "--site",
            default="http://127.0.0.1:8000",
            help="The running site's address (default http://127.0.0.1:8000).",
        )

    def handle(self, *args, **options):
        try:
            backup = formats.parse(options["file"])
        except (ImportFailed, OSError) as error:
            raise CommandError(str(error)) from error
        outcomes = check(backup, options["site"])
        wrong = [o for o in outcomes if not o.ok]
        for outcome in wrong:
            self.stdout.write(
                f"WRONG {outcome.old} -> {outcome.landed} ({outcome.status}), "
                f"expected {outcome.expected}"
            )
        self.stdout.write(
            f"{len(outcomes) - len(wrong)} of {len(outcomes)} old addresses lead to the right page."
        )
        if wrong:
            raise CommandError(f"{len(wrong)} old addresses do not.", returncode=1)
