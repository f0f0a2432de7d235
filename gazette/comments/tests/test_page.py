from django.db import connection
from django.test.utils import CaptureQueriesContext

from gazette.comments.models import Comment
from gazette.comments.templatetags.comment_tags import avatar
from gazette.comments.tests.base import CommentsTestCase
from gazette.site.models import CommentPolicy


class AvatarTest(CommentsTestCase):
    def test_it_draws_initials_in_a_colour_from_the_name(self):
        cases = {
            "Dana Reader": "DR",
            "bob": "B",
            "  ": "?",
            "Marie-Claire de la Tour": "MD",
            "<b>": "?",
        }
        for name, initials in cases.items():
            with self.subTest(name=name):
                html = avatar(Comment(author_name=name))
                self.assertIn(f">{initials}</span>", html)
                self.assertRegex(html, r'class="avatar avatar-[0-7]"')
        # The same person keeps their colour whatever the case of their name.
        self.assertEqual(
            avatar(Comment(author_name="Dana Reader")),
            avatar(Comment(author_name="dana reader")),
        )

    def test_the_page_fetches_no_pictures_from_elsewhere(self):
        post = self.make_post()
        self.add_comment(post, "Ann", author_email="ann@example.net")
        html = self.client.get(post.get_absolute_url()).content.decode()
        self.assertIn('class="avatar avatar-', html)
        self.assertNotIn("gravatar", html)
        self.assertNotIn("<img", html)


class PostPageQueriesTest(CommentsTestCase):
    def test_a_readers_waiting_comments_cost_no_extra_queries(self):
        self.set_policy(CommentPolicy.HOLD_ALL)
        post = self.make_post()
        self.add_comment(post)
        self.send(post, body="Waiting one.")
        url = post.get_absolute_url()
        self.client.get(url)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for n in range(4):
            self.send(post, body=f"Waiting {n}.")
            self.add_comment(post, body=f"Approved {n}.")
        with CaptureQueriesContext(connection) as many:
            page = self.client.get(url)
        self.assertEqual(len(many), len(few))
        self.assertContains(page, "Awaiting moderation", count=5)
