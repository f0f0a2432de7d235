from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User

from gazette.accounts.models import SignInFailure
from gazette.site import roles
from gazette.test import BaseTestCase

SIGN_IN = "/desk/sign-in/"


class AccountsTestCase(BaseTestCase):
    """The shared cast, and `admin`, the blog's admin account strangers aim at."""

    admin: User

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.admin = get_user_model().objects.create_user(
            "admin", "owner@example.org", "the right one"
        )
        cls.admin.groups.add(Group.objects.get(name=roles.ADMINS))

    def sign_in(self, username: str, password: str, address: str, **extra):
        data = {"username": username, "password": password}
        return self.client.post(SIGN_IN, data, REMOTE_ADDR=address, **extra)

    def age_failures(self, by: timedelta) -> None:
        """Move every recorded failure `by` into the past."""
        for failure in SignInFailure.objects.all():
            failure.failed_at -= by
            failure.save(update_fields=["failed_at"])
