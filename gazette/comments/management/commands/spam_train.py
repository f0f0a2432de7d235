"""`gazette spam_train FILE`: teach the classifier from labelled comments, as
if a moderator had approved the real ones and sent the spam to the spam folder
(`gazette.comments.spam.evaluation.train` does the work)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gazette.comments.spam import evaluation


class Command(BaseCommand):
    help = (
        "Teach the spam classifier from labelled comments (JSON Lines: name, "
        "email, url, body, spam true/false). No comment is kept, only what the "
        "classifier learned."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Labelled comments (.jsonl).")
        parser.add_argument(
            "--limit", type=int, help="Use this many comments, the same every run."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and teach, then roll everything back: a check of the file.",
        )

    def handle(self, *args, **options) -> None:
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be 1 or more.")
        try:
            items = evaluation.read_labelled(options["file"])
        except evaluation.BadInput as error:
            raise CommandError(str(error)) from error
        taught = evaluation.train(
            evaluation.sample(items, options["limit"]), dry_run=options["dry_run"]
        )
        verb = "Would teach" if options["dry_run"] else "Taught"
        self.stdout.write(
            f"{verb} the classifier {taught.spam} spam and {taught.real} real comments."
        )
