"""Shared test set-up: a small cast and helpers to make posts."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from gazette.lib import roles
from gazette.lib.text import unique_slug
from gazette.posts.models import Post
from gazette.posts.publishing import save_post


class BaseTestCase(TestCase):
    """alice is an author, bob a contributor, carol a reader, and dave a plain
    account that tests make whatever they need."""

    @classmethod
    def setUpTestData(cls):
        User = get_user_model()
        cls.alice = User.objects.create_user(
            "alice",
            "alice@example.org",
            "password",
            first_name="Alice",
            last_name="Ames",
        )
        cls.bob = User.objects.create_user("bob", "bob@example.org", "password")
        cls.carol = User.objects.create_user("carol", "carol@example.org", "password")
        cls.dave = User.objects.create_user("dave", "dave@example.org", "password")
        cls.alice.groups.add(Group.objects.get(name=roles.AUTHORS))
        cls.bob.groups.add(Group.objects.get(name=roles.CONTRIBUTORS))

    def setUp(self):
        super().setUp()
        cache.clear()

    def make_post(
        self,
        title: str = "A post",
        *,
        body: str = "Some words.",
        hashtags: tuple[str, ...] = (),
        days_ago: float = 1,
        status: str = Post.Status.PUBLISHED,
        **fields,
    ) -> Post:
        """A post by alice, published `days_ago` (negative: in the future)."""
        fields.setdefault("author", self.alice)
        fields.setdefault("published_at", timezone.now() - timedelta(days=days_ago))
        post = Post(title=title, body=body, status=status, **fields)
        if not post.slug:
            post.slug = unique_slug(title, Post.objects.slug_taken)
        return save_post(post, list(hashtags))
