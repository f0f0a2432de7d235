from django.core.management.base import BaseCommand

from gazette.search.indexing import rebuild


class Command(BaseCommand):
    help = (
        "Index every post again: after an import that bypassed the publishing "
        "functions, or after changing the blog's language."
    )

    def handle(self, *args, **options):
        count = rebuild()
        noun = "post" if count == 1 else "posts"
        self.stdout.write(f"Indexed {count} {noun} for search.")
