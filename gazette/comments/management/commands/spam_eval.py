"""`gazette spam_eval FILE`: how well the spam defence sorts labelled comments,
measured through the real intake and moderation path on a rolled-back
transaction (`gazette.comments.spam.evaluation` does the work)."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gazette.comments.spam import evaluation
from gazette.site.models import CommentPolicy, SiteSettings


class Command(BaseCommand):
    help = (
        "Cross-validate the spam defence on labelled comments (JSON Lines: name, "
        "email, url, body, spam true/false, optional group), or on this blog's "
        "moderated comments, and print caught/lost/held per fold. Nothing is "
        "kept: the run is rolled back. On SQLite the blog's writes wait while it "
        "runs: use a copy of the database or a quiet time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="Labelled comments (.jsonl).")
        parser.add_argument(
            "--from-blog",
            action="store_true",
            help="Evaluate on this blog's moderated comments (approved are real, "
            "the spam folder is spam), grouped by year, with its thresholds.",
        )
        how = parser.add_mutually_exclusive_group()
        how.add_argument(
            "--folds", type=int, default=5, help="Cross-validation folds (5)."
        )
        how.add_argument(
            "--by-group",
            action="store_true",
            help="Leave one group out: score each group with what the others taught.",
        )
        how.add_argument(
            "--out-of-the-box",
            action="store_true",
            help="Learn nothing: score everything with the built-in model alone.",
        )
        parser.add_argument(
            "--limit", type=int, help="Use this many comments, the same every run."
        )
        parser.add_argument(
            "--policy",
            choices=[p for p in CommentPolicy.values if p != CommentPolicy.CLOSED],
            default=CommentPolicy.OPEN,
            help="The posts' comment policy (open: 'held' is what the spam "
            "defence held).",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, **options) -> None:
        if bool(options["file"]) == options["from_blog"]:
            raise CommandError("Give a file of labelled comments, or --from-blog.")
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be 1 or more.")
        try:
            if options["from_blog"]:
                items = evaluation.blog_history()
                site = SiteSettings.load()
                if not items:
                    raise evaluation.BadInput("This blog has no moderated comments.")
            else:
                items = evaluation.read_labelled(options["file"])
                site = None
            result = evaluation.evaluate(
                evaluation.sample(items, options["limit"]),
                folds=options["folds"],
                by_group=options["by_group"],
                out_of_the_box=options["out_of_the_box"],
                policy=options["policy"],
                site=site,
                progress=self._progress if options["verbosity"] > 1 else None,
            )
        except evaluation.BadInput as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
        else:
            self.stdout.write("\n".join(result.table()))

    def _progress(self, fold: evaluation.Fold) -> None:
        self.stderr.write(f"{fold.name}: {fold.tally.summary()}, {fold.seconds:.1f} s")
