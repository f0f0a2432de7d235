from django.core.management.base import BaseCommand

from gazette.posts.writing import TRASH_DAYS, purge_trash


class Command(BaseCommand):
    help = (
        f"Delete for good the posts and pages in the trash for over {TRASH_DAYS} days."
    )

    def handle(self, *args, **options):
        posts, pages = purge_trash()
        self.stdout.write(
            f"Deleted {posts} post(s) and {pages} page(s) from the trash."
        )
