"""The comment section readers share is rendered once per version of the post
and the site, and never shared with anyone who has a state of their own."""

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from gazette.comments.models import Comment
from gazette.comments.moderation import moderate
from gazette.comments.tests.base import CommentsTestCase
from gazette.site.models import CommentPolicy
from gazette.test import add_comment, committed


@override_settings(GAZETTE_PAGE_CACHE=False)  # the section's own cache alone
class SectionCacheTest(CommentsTestCase):
    def setUp(self):
        super().setUp()
        self.post = self.make_post("Talked about")
        self.url = self.post.get_absolute_url()
        add_comment(self.post, "Ola", "First thoughts on the walk.")

    def comment_queries(self) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.client.get(self.url)
        return sum('FROM "comments_comment"' in q["sql"] for q in queries)

    def test_a_second_reader_gets_the_section_without_reading_comments(self):
        first = self.client.get(self.url)
        self.assertEqual(self.comment_queries(), 0)
        self.assertEqual(self.client.get(self.url).content, first.content)
        self.assertContains(first, "First thoughts on the walk.")

    def test_a_new_comment_or_a_moderated_one_shows_on_the_next_render(self):
        self.client.get(self.url)
        add_comment(self.post, "Pim", "A later reply about the tides.")
        self.assertContains(self.client.get(self.url), "A later reply about the tides.")
        with committed():
            moderate(Comment.objects.filter(author_name="Ola"), "trash", by=self.alice)
        self.assertNotContains(self.client.get(self.url), "First thoughts on the walk.")

    def test_people_with_a_state_of_their_own_never_share_it(self):
        self.set_policy(CommentPolicy.HOLD_ALL)
        self.client.get(self.url)  # the shared section is kept
        sent = self.send(self.post, body="My own words, waiting for a look.")
        self.assertEqual(sent.status_code, 302)
        self.assertEqual(Comment.objects.latest("id").status, Comment.Status.HELD)
        own = self.client.get(self.url)
        self.assertContains(own, "My own words, waiting for a look.")
        self.assertContains(own, "Awaiting moderation")
        stranger = self.client_class().get(self.url)
        self.assertNotContains(stranger, "My own words, waiting for a look.")
        replying = self.client_class().get(
            self.url + f"?replyto={Comment.objects.get(author_name='Ola').pk}"
        )
        self.assertContains(replying, "Replying to")
        self.assertNotContains(self.client_class().get(self.url), "Replying to")
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.url), "Commenting as")
        self.assertNotContains(self.client_class().get(self.url), "Commenting as")
