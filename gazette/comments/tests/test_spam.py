import urllib.error
from typing import Any
from unittest import mock

from django.test import override_settings

from gazette.comments.models import BlockRule, Comment, SpamToken
from gazette.comments.moderation import moderate
from gazette.comments.spam import bayes, classify, learning
from gazette.comments.spam.features import features
from gazette.comments.tests.base import CommentsTestCase

PHARMA = (
    "Buy cheap viagra and cialis online without prescription at https://pills.example/"
)


class CheapChecksTest(CommentsTestCase):
    def test_a_filled_honeypot_sends_the_comment_to_spam(self):
        post = self.make_post()
        self.send(post, homepage_title="Best deals")
        comment = Comment.objects.get()
        self.assertEqual(comment.status, Comment.Status.SPAM)
        self.assertIn("hidden field", comment.spam_reasons[0])

    def test_a_form_sent_too_fast_or_too_late_is_held(self):
        post = self.make_post()
        for opened_ago, reason in (
            (0.5, "after the form was opened"),
            (90000, "a day"),
        ):
            with self.subTest(opened_ago=opened_ago):
                self.send(post, opened_ago=opened_ago, body=f"Sent at {opened_ago}.")
                comment = Comment.objects.latest("id")
                self.assertEqual(comment.status, Comment.Status.HELD)
                self.assertIn(reason, " ".join(comment.spam_reasons))

    def test_addresses_and_posts_are_rate_limited(self):
        post = self.make_post()
        for n in range(5):
            self.assertEqual(self.send(post, body=f"Note {n}.").status_code, 302)
        response = self.send(post, body="One too many.")
        self.assertContains(response, "Too many comments", status_code=429)
        self.assertContains(response, "One too many.", status_code=429)
        self.assertEqual(Comment.objects.count(), 5)
        other = self.client.post(
            f"/comments/{post.pk}/post/",
            self.form_data(post, body="From elsewhere."),
            REMOTE_ADDR="198.51.100.1",
        )
        self.assertEqual(other.status_code, 302)

    @override_settings(COMMENTS_PER_POST=2, COMMENTS_PER_IP=100)
    def test_a_busy_post_holds_its_new_comments(self):
        post = self.make_post()
        for n, ip in enumerate(("198.51.100.1", "198.51.100.2", "198.51.100.3")):
            response = self.client.post(
                f"/comments/{post.pk}/post/",
                self.form_data(post, body=f"Comment {n}."),
                REMOTE_ADDR=ip,
            )
        self.assertEqual(response.status_code, 302)
        third = Comment.objects.latest("id")
        self.assertEqual(third.status, Comment.Status.HELD)
        self.assertIn("Held: many comments on this post at once", third.spam_reasons)

    def test_the_same_text_twice_is_refused_or_ignored_once_approved(self):
        post, other = self.make_post(), self.make_post("Other")
        text = "Wonderful article, I learned so much from it today."
        self.send(post, body=text)
        again = self.send(post, body=text)
        self.assertContains(again, "already posted this comment", status_code=400)
        self.client.post(
            f"/comments/{other.pk}/post/",
            self.form_data(other, body=text, author_email="someone@example.com"),
            REMOTE_ADDR="198.51.100.5",
        )
        copy = Comment.objects.get(post=other)
        self.assertEqual(copy.status, Comment.Status.APPROVED)
        # Short replies repeat innocently.
        self.send(post, body="Thanks!", author_email="x@example.com")
        self.send(other, body="Thanks!", author_email="y@example.com")
        thanks = Comment.objects.filter(body="Thanks!")
        self.assertEqual({c.status for c in thanks}, {Comment.Status.APPROVED})

    def test_many_links_hold_a_comment(self):
        post = self.make_post()
        links = " ".join(f"https://site{n}.example.org/page" for n in range(4))
        self.send(post, body=f"Some reading for the weekend: {links}")
        comment = Comment.objects.get()
        self.assertNotEqual(comment.status, Comment.Status.APPROVED)
        self.assertIn("4 links in the text", comment.spam_reasons)


class BlockListTest(CommentsTestCase):
    def test_each_kind_of_rule_sends_matching_comments_to_spam(self):
        post = self.make_post()
        BlockRule.objects.create(kind="word", value="Tangerine Dream")
        BlockRule.objects.create(kind="ip", value="203.0.113.0/24")
        BlockRule.objects.create(kind="email", value="pest@example.com")
        BlockRule.objects.create(kind="domain", value="junk.example")
        cases: list[tuple[dict[str, Any], str, str]] = [
            ({"body": "I love tangerine dream records."}, "198.51.100.9", "Tangerine"),
            ({"body": "Just a note."}, "203.0.113.40", "203.0.113.0/24"),
            ({"author_email": "PEST@example.com"}, "198.51.100.9", "pest@example.com"),
            ({"author_url": "https://www.shop.junk.example/"}, "198.51.100.9", "junk"),
            ({"body": "See http://junk.example/x"}, "198.51.100.9", "junk.example"),
        ]
        for n, (fields, ip, reason) in enumerate(cases):
            fields.setdefault("body", f"Comment number {n}.")
            with self.subTest(fields=fields):
                self.client.post(
                    f"/comments/{post.pk}/post/",
                    self.form_data(post, **fields),
                    REMOTE_ADDR=ip,
                )
                comment = Comment.objects.latest("id")
                self.assertEqual(comment.status, Comment.Status.SPAM)
                self.assertIn(reason, comment.spam_reasons[0])
        self.send(post, body="Dreaming of tangerines is fine.")
        self.assertEqual(Comment.objects.latest("id").status, Comment.Status.APPROVED)

    def test_an_authors_rules_apply_to_their_own_posts_only(self):
        BlockRule.objects.create(kind="word", value="pineapple", owner=self.alice)
        self.dave.groups.add(*self.alice.groups.all())
        mine, theirs = self.make_post(), self.make_post("Dave's", author=self.dave)
        self.send(mine, body="Pineapple on pizza.")
        self.send(theirs, body="Pineapple on toast.")
        self.assertEqual(Comment.objects.get(post=mine).status, Comment.Status.SPAM)
        self.assertEqual(
            Comment.objects.get(post=theirs).status, Comment.Status.APPROVED
        )


class ClassifierTest(CommentsTestCase):
    def teach_own_corpus(self) -> None:
        """What a blog would have taught after a while: the project's own
        labelled comments, which test the mechanics (not the built-in model)."""
        taught = learning.teach_many(
            (bayes.comment_features(item), label == "spam")
            for label in ("ham", "spam")
            for item in bayes.read_corpus(label)
        )
        self.assertGreaterEqual(taught, 1000)

    def test_it_tells_spam_from_ordinary_comments_once_taught(self):
        self.teach_own_corpus()
        post = self.make_post()
        self.send(post, body="The bus from the village runs every hour on Sundays.")
        self.send(
            post,
            author_name="cheap pills",
            author_url="https://pills.example/",
            body=PHARMA,
        )
        ham, spam = Comment.objects.order_by("id")
        self.assertEqual(ham.status, Comment.Status.APPROVED)
        assert ham.spam_score is not None and spam.spam_score is not None
        self.assertLess(ham.spam_score, 0.5)
        self.assertEqual(spam.status, Comment.Status.SPAM)
        self.assertGreaterEqual(spam.spam_score, 0.9)
        self.assertIn("Classifier score", spam.spam_reasons[-1])
        self.assertIn("spam-like: ", spam.spam_reasons[-1])

    def test_the_sites_thresholds_decide(self):
        post = self.make_post()
        self.set_policy("open", spam_hold_threshold=0.0, spam_reject_threshold=1.01)
        self.send(post, body="A perfectly ordinary remark about bread.")
        self.assertEqual(Comment.objects.get().status, Comment.Status.HELD)

    def test_moderation_teaches_it_and_keeps_the_counts_right(self):
        post = self.make_post()
        comment = self.add_comment(
            post, "Quorble", "Quorble zix quorble zix quorble", status="held"
        )
        before = classify(name="Quorble", email="", url="", body=comment.body).value
        moderate([comment], "spam", by=self.alice)
        token = SpamToken.objects.get(token="quorble")
        totals = SpamToken.objects.get(token=SpamToken.MESSAGES)
        self.assertEqual((token.spam_count, token.ham_count), (1, 0))
        self.assertEqual((totals.spam_count, totals.ham_count), (1, 0))
        moderate([comment], "spam", by=self.alice)  # again: nothing changes
        self.assertEqual(SpamToken.objects.get(token="quorble").spam_count, 1)
        after = classify(name="Quorble", email="", url="", body=comment.body).value
        self.assertGreater(after, before)

        moderate([comment], "not_spam", by=self.alice)
        comment.refresh_from_db()
        self.assertEqual(
            (comment.status, comment.trained_as), (Comment.Status.HELD, "ham")
        )
        token.refresh_from_db()
        totals.refresh_from_db()
        self.assertEqual((token.spam_count, token.ham_count), (0, 1))
        self.assertEqual((totals.spam_count, totals.ham_count), (0, 1))
        moderate([comment], "trash", by=self.alice)  # trash teaches nothing
        token.refresh_from_db()
        self.assertEqual((token.spam_count, token.ham_count), (0, 1))

    def test_features_read_links_and_the_website(self):
        found = features(
            "Best Casino",
            "",
            "https://lucky-slots.example/",
            "Play at http://www.bonus-spins.example/go",
        )
        for feature in (
            "link:bonus-spins.example",
            "link-word:bonus",
            "site:lucky-slots.example",
            "site-word:slots",
            "links:1",
        ):
            self.assertIn(feature, found)
        self.assertFalse({f for f in found if f.startswith("name")})


@override_settings(AKISMET_KEY="k3y")
class AkismetTest(CommentsTestCase):
    def answer(self, text: bytes):
        response = mock.MagicMock()
        response.read.return_value = text
        response.__enter__.return_value = response
        return mock.patch("urllib.request.urlopen", return_value=response)

    def test_it_asks_akismet_when_a_key_is_set(self):
        post = self.make_post()
        with self.answer(b"true") as urlopen:
            self.send(post, body="An innocent looking sentence.")
        request = urlopen.call_args.args[0]
        self.assertEqual(request.full_url, "https://rest.akismet.com/1.1/comment-check")
        self.assertIn(b"api_key=k3y", request.data)
        self.assertIn(b"comment_content=An+innocent+looking+sentence.", request.data)
        self.assertIn(b"user_ip=192.0.2.7", request.data)
        comment = Comment.objects.get()
        self.assertEqual(comment.status, Comment.Status.SPAM)
        self.assertEqual(comment.spam_reasons[0], "Akismet calls it spam")

    def test_its_no_and_its_silence_leave_the_offline_verdict(self):
        post = self.make_post()
        with self.answer(b"false"):
            self.send(post, body="First innocent sentence.")
        error = urllib.error.URLError("no route to host")
        with mock.patch("urllib.request.urlopen", side_effect=error):
            self.send(post, body="Second innocent sentence.")
        first, second = Comment.objects.order_by("id")
        self.assertEqual(first.status, Comment.Status.APPROVED)
        self.assertEqual(second.status, Comment.Status.APPROVED)
        self.assertIn("Akismet could not be reached", second.spam_reasons)

    @override_settings(AKISMET_KEY="")
    def test_without_a_key_nothing_leaves_the_machine(self):
        with mock.patch("urllib.request.urlopen") as urlopen:
            self.send(self.make_post())
        urlopen.assert_not_called()
        self.assertEqual(Comment.objects.get().status, Comment.Status.APPROVED)
