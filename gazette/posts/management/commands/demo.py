from django.core.management.base import BaseCommand

from gazette.posts.demo import create_demo


class Command(BaseCommand):
    help = "Create the demo blog (posts, pictures, an About page, comments). Idempotent."

    def handle(self, *args, **options):
        created = create_demo()
        if any(created.values()):
            summary = ", ".join(f"{n} {what}" for what, n in created.items())
            self.stdout.write(f"Demo blog created: {summary}.")
        else:
            self.stdout.write("The demo blog is already there; nothing to add.")
