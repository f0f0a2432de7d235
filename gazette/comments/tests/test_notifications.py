from unittest import mock

from django.core import mail
from django.test import Client
from django.urls import reverse

from gazette.comments import notify
from gazette.comments.models import Comment, NotificationOptOut
from gazette.comments.moderation import moderate
from gazette.comments.tests.base import CommentsTestCase
from gazette.site.models import CommentPolicy


class NotificationTest(CommentsTestCase):
    def send_and_commit(self, post, **fields):
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            response = self.send(post, **fields)
        return response, callbacks

    def test_the_author_hears_of_a_new_comment_after_commit(self):
        post = self.make_post("Ridge walk")
        self.client = Client()  # one whose requests leave their commit to the test
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.send(post, body="Lovely ridge.")
        self.assertEqual(len(mail.outbox), 0)  # nothing before the commit
        for callback in callbacks:
            callback()
        message = mail.outbox[0]
        self.assertEqual(message.to, ["alice@example.org"])
        self.assertIn("New comment on “Ridge walk”", message.subject)
        self.assertIn("Lovely ridge.", message.body)
        self.assertIn("Dana Reader", message.body)
        link = message.extra_headers["List-Unsubscribe"].strip("<>")
        self.assertIn(link, message.body)
        self.assertTrue(link.startswith("http://testserver/comments/unsubscribe/"))
        self.assertEqual(
            message.extra_headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click"
        )

    def test_a_held_comment_says_so_and_spam_says_nothing(self):
        self.set_policy(CommentPolicy.HOLD_ALL)
        post = self.make_post()
        self.send_and_commit(post)
        self.assertIn("awaiting moderation", mail.outbox[0].subject)
        self.assertIn("/desk/comments/", mail.outbox[0].body)
        self.send_and_commit(post, homepage_title="spam bot", body="Other text.")
        self.assertEqual(len(mail.outbox), 1)

    def test_authors_are_not_told_of_their_own_comments(self):
        post = self.make_post()
        self.client.force_login(self.alice)
        self.send_and_commit(post)
        self.assertEqual(mail.outbox, [])

    def test_a_reply_reaches_the_commenter_who_asked(self):
        post = self.make_post("Bread")
        asked = self.add_comment(
            post, "Ann", author_email="ann@example.net", wants_reply_notifications=True
        )
        quiet = self.add_comment(post, "Quinn", author_email="quinn@example.net")
        self.send_and_commit(post, parent=str(asked.pk), body="Answering Ann.")
        self.send_and_commit(post, parent=str(quiet.pk), body="Answering Quinn.")
        replies = [m for m in mail.outbox if "replied" in m.subject]
        self.assertEqual([m.to for m in replies], [["ann@example.net"]])
        self.assertIn(
            "Dana Reader replied to your comment on “Bread”", replies[0].subject
        )
        self.assertIn("Answering Ann.", replies[0].body)
        self.assertIn("#comment-", replies[0].body)

    def test_a_held_reply_is_announced_once_when_approved(self):
        self.set_policy(CommentPolicy.HOLD_ALL)
        post = self.make_post()
        asked = self.add_comment(
            post, "Ann", author_email="ann@example.net", wants_reply_notifications=True
        )
        self.send_and_commit(post, parent=str(asked.pk), body="Waiting reply.")
        reply = Comment.objects.get(parent=asked)
        self.assertFalse([m for m in mail.outbox if "replied" in m.subject])
        for action in ("approve", "trash", "approve"):
            with self.captureOnCommitCallbacks(execute=True):
                moderate(Comment.objects.filter(pk=reply.pk), action, by=self.alice)
        replies = [m for m in mail.outbox if "replied" in m.subject]
        self.assertEqual(len(replies), 1)

    def test_one_click_unsubscribes_without_signing_in(self):
        post = self.make_post()
        self.send_and_commit(post)
        link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
        response = Client().get(link)
        self.assertContains(response, "alice@example.org will get no more email")
        self.assertTrue(NotificationOptOut.objects.filter(email="alice@example.org"))
        self.send_and_commit(post, body="Another comment.")
        self.assertEqual(len(mail.outbox), 1)

        undo = Client().get(link).context["token"]
        Client().post(reverse("comments:resubscribe", args=[undo]))
        self.assertFalse(NotificationOptOut.objects.exists())
        # Mail programs send the one-click POST of RFC 8058, without a CSRF token.
        strict = Client(enforce_csrf_checks=True)
        response = strict.post(link, {"List-Unsubscribe": "One-Click"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(NotificationOptOut.objects.exists())

    def test_the_unsubscribe_page_does_not_publish_its_token(self):
        token = notify.unsubscribe_token("alice@example.org")
        page = Client().get(reverse("comments:unsubscribe", args=[token]))
        head = page.content.decode().split("</head>")[0]
        self.assertNotIn(token, head)
        self.assertIn('<meta name="robots" content="noindex">', head)

    def test_a_made_up_unsubscribe_link_does_nothing(self):
        token = notify.unsubscribe_token("alice@example.org")
        for bad in (token[:-2] + "xx", "abc", "x" * 300):
            with self.subTest(bad=bad[:10]):
                url = reverse("comments:unsubscribe", args=[bad])
                self.assertEqual(self.client.get(url).status_code, 400)
        self.assertFalse(NotificationOptOut.objects.exists())

    def test_a_broken_mail_server_never_breaks_the_comment(self):
        post = self.make_post()
        with mock.patch(
            "django.core.mail.EmailMessage.send", side_effect=OSError("no server")
        ):
            with self.assertLogs("gazette.comments.notify", "ERROR"):
                response, _ = self.send_and_commit(post)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Comment.objects.count(), 1)
