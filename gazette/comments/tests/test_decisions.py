"""The decisions taken on a comment lose nothing: readers repeating each other
are not spam, only strong evidence reaches the spam folder, a guest approved
once is known again, limits stop floods and not conversations, and an import
can teach the spam filter what the old blog's moderators decided."""

import re
import tempfile
from datetime import timedelta
from io import StringIO
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from gazette.comments import spam
from gazette.comments.models import Comment
from gazette.comments.moderation import moderate
from gazette.comments.spam.bayes import Score
from gazette.comments.spam.checks import BUSY_POST_REASON
from gazette.comments.spam.features import features
from gazette.comments.spam.learning import teach_many
from gazette.comments.tests.base import CommentsTestCase
from gazette.comments.views import COMMENTER_COOKIE, COMMENTER_SALT, commenter_id
from gazette.site.models import CommentPolicy
from gazette.test import committed

SONG = "Love this song, makes me wanna dance!"


class DecisionsTestCase(CommentsTestCase):
    def setUp(self):
        super().setUp()
        # The classifier never decides here unless a test says so: these tests
        # are about the rules around it.
        self.set_policy(
            CommentPolicy.OPEN, spam_hold_threshold=1.01, spam_reject_threshold=1.02
        )
        self.post = self.make_post()

    def post_from(self, ip: str, post=None, client=None, secure=False, **fields):
        """The form sent from `ip`, by default from a browser of its own (a
        fresh client) and with a name and email made from the address."""
        post = post or self.post
        number = ip.rpartition(".")[2]
        fields.setdefault("author_name", f"Reader {number}")
        fields.setdefault("author_email", f"reader{number}@example.net")
        return (client or self.client_class()).post(
            reverse("comments:post", args=[post.pk]),
            self.form_data(post, **fields),
            REMOTE_ADDR=ip,
            secure=secure,
        )

    def copy_from(
        self, ip: str, *, post=None, body=SONG, status="held", **fields
    ) -> Comment:
        """An earlier comment with the same words, stored as it was decided."""
        return self.add_comment(
            post or self.post, "Someone", body, status=status, ip_address=ip, **fields
        )


class RepeatedTextTest(DecisionsTestCase):
    def test_two_readers_may_say_the_same_thing(self):
        self.post_from("198.51.100.1", body=SONG)
        self.post_from("198.51.100.2", body=SONG)
        first, second = Comment.objects.order_by("id")
        self.assertEqual(first.status, Comment.Status.APPROVED)
        # The earlier copy was approved: the repeat tells nothing.
        self.assertEqual(second.status, Comment.Status.APPROVED)
        self.assertFalse([r for r in second.spam_reasons if "same text" in r.lower()])

    def test_a_copy_of_a_comment_nobody_approved_yet_is_held_not_spam(self):
        self.copy_from("198.51.100.1")
        self.post_from("198.51.100.2", body=SONG)
        copy = Comment.objects.latest("id")
        self.assertEqual(copy.status, Comment.Status.HELD)
        self.assertIn("Held: same text as 1 earlier comment(s)", copy.spam_reasons)

    def test_the_same_person_sending_it_twice_is_told_so_and_keeps_the_text(self):
        self.post_from("198.51.100.1", body=SONG, client=self.client)
        again = self.post_from("198.51.100.1", body=SONG, author_email="")
        self.assertContains(again, "already posted this comment", status_code=400)
        self.assertContains(again, "wanna dance", status_code=400)
        # Known by the browser's commenter id too, from another address.
        third = self.post_from(
            "198.51.100.77", body=SONG, author_email="", client=self.client
        )
        self.assertContains(third, "already posted this comment", status_code=400)
        self.assertEqual(Comment.objects.count(), 1)

    def test_text_spread_over_addresses_or_posts_within_a_day_is_a_campaign(self):
        # A campaign the classifier does not lean towards calling spam is held:
        # many people send the same polite saying.
        self.copy_from("198.51.100.1")
        self.copy_from("198.51.100.2")
        self.post_from("198.51.100.3", body=SONG)
        polite = Comment.objects.latest("id")
        self.assertEqual(polite.status, Comment.Status.HELD)
        self.assertIn(
            "Same text within a day from 3 address(es) on 1 post(s)",
            polite.spam_reasons,
        )
        Comment.objects.all().delete()
        # When the classifier leans well towards spam (0.8: past halfway from
        # the hold threshold, 0.5, to the spam folder's, 0.98), it is spam.
        self.set_policy(
            CommentPolicy.OPEN, spam_hold_threshold=0.5, spam_reject_threshold=0.98
        )
        leaning = mock.patch.object(spam, "classify", return_value=Score(0.8, []))
        leaning.start()
        self.addCleanup(leaning.stop)
        other, third = self.make_post("Other"), self.make_post("Third")
        self.copy_from("198.51.100.1")
        self.copy_from("198.51.100.2")
        self.post_from("198.51.100.3", body=SONG)
        by_address = Comment.objects.latest("id")
        self.assertEqual(by_address.status, Comment.Status.SPAM)
        self.assertIn(
            "Same text within a day from 3 address(es) on 1 post(s)",
            by_address.spam_reasons,
        )
        # One address, three posts.
        Comment.objects.all().delete()
        self.copy_from("198.51.100.9", post=other)
        self.copy_from("198.51.100.9", post=third)
        self.post_from("198.51.100.9", body=SONG)
        self.assertEqual(Comment.objects.latest("id").status, Comment.Status.SPAM)

    def test_no_campaign_when_a_copy_was_approved_or_the_copies_are_old(self):
        self.copy_from("198.51.100.1", status="approved")
        self.copy_from("198.51.100.2")
        self.post_from("198.51.100.3", body=SONG)
        self.assertEqual(Comment.objects.latest("id").status, Comment.Status.APPROVED)
        Comment.objects.all().delete()
        last_week = timezone.now() - timedelta(days=7)
        self.copy_from("198.51.100.1", created_at=last_week)
        self.copy_from("198.51.100.2", created_at=last_week)
        self.post_from("198.51.100.3", body=SONG)
        self.assertEqual(Comment.objects.latest("id").status, Comment.Status.HELD)


class SpamFolderTest(DecisionsTestCase):
    def test_many_links_hold_and_an_overwhelming_number_is_spam(self):
        some = " ".join(f"https://site{n}.example.org/" for n in range(4))
        flood = " ".join(f"https://site{n}.example.org/" for n in range(50))
        self.post_from("198.51.100.1", body=f"Reading list: {some}")
        self.post_from("198.51.100.2", body=f"Reading list: {flood}")
        some_links, flood_of_links = Comment.objects.order_by("id")
        self.assertEqual(some_links.status, Comment.Status.HELD)
        self.assertEqual(flood_of_links.status, Comment.Status.SPAM)
        self.assertIn("50 links in the text", flood_of_links.spam_reasons)

    def test_a_blog_can_teach_that_comments_with_links_are_ordinary(self):
        some = " ".join(f"https://site{n}.example.org/" for n in range(4))
        self.post_from("198.51.100.1", body=f"Reading list for the hike: {some}")
        self.assertEqual(Comment.objects.get().status, Comment.Status.HELD)
        # Readers of this blog share reading lists; spam here sells things.
        topics = ("harbour", "tides", "ferries", "lighthouses", "gulls", "dunes")
        ordinary = [
            features(body=f"Reading list on {topic} number {n}: {some}")
            for n in range(40)
            for topic in topics
        ]
        selling = [
            features(body=f"Cheap pills {n}, buy now, best price, discount offer")
            for n in range(60)
        ]
        teach_many([(f, False) for f in ordinary] + [(f, True) for f in selling])
        self.post_from("198.51.100.2", body=f"Reading list on tides, again: {some}")
        self.assertEqual(Comment.objects.latest("id").status, Comment.Status.APPROVED)
        self.post_from(
            "198.51.100.3", body=f"Cheap pills, buy now, discount offer {some}"
        )
        self.assertEqual(Comment.objects.latest("id").status, Comment.Status.HELD)

    def test_suspicious_signs_together_still_only_hold(self):
        links = " ".join(f"https://site{n}.example.org/" for n in range(5))
        self.copy_from("198.51.100.1", body=f"{SONG} {links}")
        self.post_from("198.51.100.2", body=f"{SONG} {links}", opened_ago=0.5)
        comment = Comment.objects.latest("id")
        self.assertEqual(comment.status, Comment.Status.HELD)
        reasons = " ".join(comment.spam_reasons)
        for reason in ("after the form was opened", "5 links", "same text"):
            self.assertIn(reason, reasons)

    def test_the_classifier_alone_sends_to_spam_only_at_the_reject_threshold(self):
        self.set_policy(
            CommentPolicy.OPEN, spam_hold_threshold=0.0, spam_reject_threshold=1.01
        )
        self.post_from("198.51.100.1", body="An ordinary remark about bread.")
        self.assertEqual(Comment.objects.get().status, Comment.Status.HELD)
        self.set_policy(
            CommentPolicy.OPEN, spam_hold_threshold=0.0, spam_reject_threshold=0.0
        )
        self.post_from("198.51.100.2", body="Another remark about bread.")
        self.assertEqual(Comment.objects.latest("id").status, Comment.Status.SPAM)

    def test_the_spam_folder_shows_why_and_not_spam_is_one_click_that_teaches(self):
        self.post_from("198.51.100.1", body="Fine deals today", homepage_title="x")
        caught = Comment.objects.get()
        self.assertEqual(caught.status, Comment.Status.SPAM)
        assert caught.spam_score is not None
        desk = Client()
        desk.force_login(self.alice)
        queue = reverse("desk:comments") + "?status=spam"
        folder = desk.get(queue)
        self.assertContains(folder, "Spam score ")
        self.assertContains(folder, "The hidden field that people never see")
        with committed():
            desk.post(queue, {"only": f"not_spam:{caught.pk}"})
        caught.refresh_from_db()
        self.assertEqual(
            (caught.status, caught.trained_as),
            (Comment.Status.HELD, Comment.Label.HAM),
        )


@override_settings(COMMENTS_PER_IP=100)
class KnownGuestTest(DecisionsTestCase):
    def setUp(self):
        super().setUp()
        self.set_policy(
            CommentPolicy.HOLD_FIRST,
            spam_hold_threshold=1.01,
            spam_reject_threshold=1.02,
        )

    def test_a_guest_without_email_is_known_by_their_browser_once_approved(self):
        guest = self.client_class()
        response = self.post_from(
            "198.51.100.1", client=guest, author_email="", body="First visit here."
        )
        cookie = response.cookies[COMMENTER_COOKIE]
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["samesite"], "Lax")
        self.assertEqual(cookie["max-age"], 365 * 24 * 60 * 60)
        self.assertFalse(cookie["secure"])
        first = Comment.objects.get()
        self.assertEqual(first.status, Comment.Status.HELD)
        sent_back = RequestFactory().post("/")
        sent_back.COOKIES[COMMENTER_COOKIE] = cookie.value
        self.assertEqual(first.commenter_id, commenter_id(sent_back))
        # The cookie alone is not enough: nothing of theirs was approved yet.
        self.post_from("198.51.100.1", client=guest, author_email="", body="Again?")
        self.assertEqual(Comment.objects.latest("id").status, Comment.Status.HELD)

        moderate([first], "approve", by=self.alice)
        self.post_from(
            "198.51.100.2", client=guest, author_email="", body="Back a week later."
        )
        later = Comment.objects.latest("id")
        self.assertEqual(later.status, Comment.Status.APPROVED)
        self.assertEqual(later.commenter_id, first.commenter_id)
        # Another browser with the same name is a stranger.
        self.post_from(
            "198.51.100.2", author_email="", body="Someone else entirely here."
        )
        self.assertEqual(Comment.objects.latest("id").status, Comment.Status.HELD)

    def test_a_forged_commenter_cookie_makes_nobody_known(self):
        self.add_comment(
            self.post, "Known", "Approved long ago.", commenter_id="k" * 22
        )
        forger = self.client_class()
        forger.cookies[COMMENTER_COOKIE] = "k" * 22  # unsigned
        self.post_from("198.51.100.1", client=forger, body="Let me in, please.")
        self.assertEqual(Comment.objects.latest("id").status, Comment.Status.HELD)
        signed = HttpResponse()
        signed.set_signed_cookie(COMMENTER_COOKIE, "k" * 22, salt=COMMENTER_SALT)
        returning = self.client_class()
        returning.cookies[COMMENTER_COOKIE] = signed.cookies[COMMENTER_COOKIE].value
        response = self.post_from(
            "198.51.100.2", client=returning, body="Glad to be back.", secure=True
        )
        self.assertEqual(Comment.objects.latest("id").status, Comment.Status.APPROVED)
        self.assertTrue(response.cookies[COMMENTER_COOKIE]["secure"])


class FloodLimitsTest(DecisionsTestCase):
    def test_a_popular_post_stays_open_to_a_hundred_readers_at_once(self):
        answers = [
            self.post_from(
                f"198.51.100.{n + 1}",
                body=f"Reader number {n} was there too, what a night.",
            ).status_code
            for n in range(100)
        ]
        self.assertEqual(answers, [302] * 100)
        stored = Comment.objects.all()
        self.assertEqual(stored.filter(status=Comment.Status.APPROVED).count(), 60)
        held = stored.filter(status=Comment.Status.HELD)
        self.assertEqual([c.spam_reasons[0] for c in held], [BUSY_POST_REASON] * 40)

    def test_one_address_is_asked_to_wait_and_keeps_its_text(self):
        for n in range(5):
            self.post_from("198.51.100.1", body=f"Thought number {n}.")
        response = self.post_from("198.51.100.1", body="One thought too many.")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "One thought too many.", status_code=429)
        wait = re.search(r"please wait (\d+) minutes?", response.content.decode())
        assert wait is not None
        self.assertTrue(1 <= int(wait.group(1)) <= 10)
        self.assertEqual(Comment.objects.count(), 5)

    @override_settings(COMMENTS_PER_POST=2)
    def test_only_far_beyond_the_post_limit_are_comments_refused(self):
        found = [spam.check_rate(f"198.51.100.{n}", self.post.pk) for n in range(20)]
        self.assertEqual(found[:2], [[], []])
        self.assertEqual(found[2:], [[BUSY_POST_REASON]] * 18)
        with self.assertRaisesMessage(spam.Refused, "too many comments at once"):
            spam.check_rate("198.51.100.21", self.post.pk)


WORDPRESS_EXPORT = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Harbour Notes</title>
  <link>https://harbour.example.org</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <item>
    <title>The new pier</title>
    <dc:creator>kit</dc:creator>
    <content:encoded><![CDATA[They finished the pier on Tuesday.]]></content:encoded>
    <wp:post_id>5</wp:post_id>
    <wp:post_date_gmt>2021-05-04 10:00:00</wp:post_date_gmt>
    <wp:post_name>new-pier</wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_type>post</wp:post_type>
    {comments}
  </item>
</channel>
</rss>
"""
WORDPRESS_COMMENT = """<wp:comment>
      <wp:comment_id>{id}</wp:comment_id>
      <wp:comment_author>{name}</wp:comment_author>
      <wp:comment_date_gmt>2021-05-05 10:00:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[{body}]]></wp:comment_content>
      <wp:comment_approved>{state}</wp:comment_approved>
      <wp:comment_parent>0</wp:comment_parent>
    </wp:comment>"""


class ImportTeachesTest(CommentsTestCase):
    def import_wordpress(self, path: Path, *options: str) -> str:
        out = StringIO()
        with committed():
            call_command("import_wordpress", str(path), *options, stdout=out)
        return out.getvalue()

    def test_an_import_teaches_the_spam_filter_only_when_asked(self):
        comments = [
            (1, "Mo", "Walked it this morning, lovely and calm.", "1"),
            (2, "Cheap Pills", "Buy pills at https://pills.example/ now", "spam"),
            (3, "Ada", "Still waiting for a moderator's look.", "0"),
        ]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "harbour.xml"
            path.write_text(
                WORDPRESS_EXPORT.format(
                    comments="\n".join(
                        WORDPRESS_COMMENT.format(id=n, name=name, body=body, state=st)
                        for n, name, body, st in comments
                    )
                )
            )
            plain = self.import_wordpress(path)
            self.assertNotIn("Taught", plain)
            self.assertEqual(
                set(Comment.objects.values_list("trained_as", flat=True)), {""}
            )
            # The same file again, now teaching: the comments found again learn.
            report = self.import_wordpress(path, "--teach-spam-filter")
        self.assertIn("Taught the spam filter 1 approved and 1 spam comments.", report)
        taught = dict(Comment.objects.values_list("import_ref", "trained_as"))
        self.assertEqual(
            taught,
            {
                "wordpress:comment-1": Comment.Label.HAM,
                "wordpress:comment-2": Comment.Label.SPAM,
                "wordpress:comment-3": Comment.Label.NONE,
            },
        )
