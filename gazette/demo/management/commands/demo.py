from django.core.management.base import BaseCommand

from gazette.demo.content import create_demo
from gazette.posts.models import Page, Post


class Command(BaseCommand):
    help = (
        "Create the demo blog (posts, pictures, an About page, comments). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only create the demo when the blog has no posts and no pages yet.",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and (Post.objects.exists() or Page.objects.exists()):
            return
        created = create_demo()
        if any(created.values()):
            summary = ", ".join(
                f"{n} {what if n != 1 else what.removesuffix('s')}"
                for what, n in created.items()
            )
            self.stdout.write(f"Demo blog created: {summary}.")
        else:
            self.stdout.write("The demo blog is already there; nothing to add.")
