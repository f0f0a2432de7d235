import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the 'admin' account if no superuser exists yet. The password comes "
        "from GAZETTE_ADMIN_PASSWORD, or is generated and printed this once."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            return
        password = os.environ.get("GAZETTE_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", email="", password=password)
        self.stdout.write("Created the admin account. Sign in with:")
        self.stdout.write("  user:     admin")
        if os.environ.get("GAZETTE_ADMIN_PASSWORD"):
            self.stdout.write("  password: the one in GAZETTE_ADMIN_PASSWORD")
        else:
            self.stdout.write(f"  password: {password}")
            self.stdout.write(
                "This password is shown only once: keep it somewhere safe."
            )
