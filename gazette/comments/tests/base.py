"""Helpers for the comment tests: a filled-in form as a reader's browser sends it."""

import time

from django.urls import reverse

from gazette.comments import spam
from gazette.comments.models import Comment
from gazette.site.models import CommentPolicy, SiteSettings
from gazette.test import BaseTestCase, add_comment


class CommentsTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.set_policy(CommentPolicy.OPEN)

    def set_policy(self, policy: str, **fields) -> SiteSettings:
        site = SiteSettings.load()
        site.comment_policy = policy
        for name, value in fields.items():
            setattr(site, name, value)
        site.save()
        return site

    def form_data(self, post, *, opened_ago: float = 30, **fields) -> dict:
        """What the browser sends, from a form opened `opened_ago` seconds ago."""
        data = {
            "author_name": "Dana Reader",
            "author_email": "dana@example.net",
            "author_url": "",
            "body": "I walked the same path last spring and loved it.",
            "parent": "",
            "token": spam.make_form_token(post.pk, issued_at=time.time() - opened_ago),
            "homepage_title": "",
        }
        data.update(fields)
        return data

    def send(self, post, client=None, **fields):
        client = client or self.client
        url = reverse("comments:post", args=[post.pk])
        return client.post(url, self.form_data(post, **fields), REMOTE_ADDR="192.0.2.7")

    def add_comment(self, post, name="Ann", body="Hello there.", **fields) -> Comment:
        return add_comment(post, name, body, **fields)
