from django.contrib.auth.models import Group

from gazette.site import roles
from gazette.test import BaseTestCase


def post_form(**fields) -> dict:
    """What the post editor sends, with `fields` changed."""
    data = {
        "title": "A walk on the ridge",
        "slug": "",
        "slug_auto": "True",
        "body": "Up the hill before dawn.",
        "hashtags": "",
        "excerpt": "",
        "published_at": "",
        "comment_policy": "",
        "draft_key": "",
        "action": "save",
    }
    return data | fields


class DeskTestCase(BaseTestCase):
    """The shared cast, with dave as the blog's admin."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.dave.groups.add(Group.objects.get(name=roles.ADMINS))
