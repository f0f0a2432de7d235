import json
import os
import tempfile
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path
from unittest import mock

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from gazette.comments import notify, privacy, tasks
from gazette.comments.models import BlockRule, Comment, NotificationOptOut
from gazette.comments.tests.base import CommentsTestCase
from gazette.importers.models import ImportedAuthor
from gazette.site import periodic

EMAIL = "ann@example.net"


class IpRetentionTest(CommentsTestCase):
    def old_comment(self, days: float, **fields) -> Comment:
        return self.add_comment(
            self.post,
            created_at=timezone.now() - timedelta(days=days),
            ip_address="198.51.100.4",
            user_agent="Firefox/140",
            **fields,
        )

    def setUp(self):
        super().setUp()
        self.post = self.make_post()

    def test_it_clears_old_comments_and_keeps_recent_ones(self):
        old = self.old_comment(31)
        recent = self.old_comment(29)
        self.assertEqual(tasks.erase_old_ip_addresses(), 1)
        old.refresh_from_db()
        recent.refresh_from_db()
        self.assertEqual((old.ip_address, old.user_agent), (None, ""))
        self.assertEqual(
            (recent.ip_address, recent.user_agent), ("198.51.100.4", "Firefox/140")
        )
        self.assertEqual(old.body, "Hello there.")  # only the two fields go
        self.assertEqual(tasks.erase_old_ip_addresses(), 0)  # safe to run again

    def test_it_clears_a_browser_kept_without_an_address(self):
        old = self.old_comment(40)
        Comment.objects.filter(pk=old.pk).update(ip_address=None)
        tasks.erase_old_ip_addresses()
        old.refresh_from_db()
        self.assertEqual(old.user_agent, "")

    def test_it_keeps_the_browser_id_only_of_approved_comments(self):
        approved = self.old_comment(31, status="approved", commenter_id="known")
        held = self.old_comment(31, status="held", commenter_id="unknown")
        recent = self.old_comment(3, status="held", commenter_id="still-waiting")
        tasks.erase_old_ip_addresses()
        ids = [
            Comment.objects.get(pk=c.pk).commenter_id for c in (approved, held, recent)
        ]
        self.assertEqual(ids, ["known", "", "still-waiting"])

    @override_settings(GAZETTE_IP_RETENTION_DAYS=7)
    def test_it_follows_the_setting(self):
        week_old = self.old_comment(8)
        tasks.erase_old_ip_addresses()
        week_old.refresh_from_db()
        self.assertIsNone(week_old.ip_address)

    def test_it_clears_in_batches(self):
        for _ in range(5):
            self.old_comment(60)
        with mock.patch.object(tasks, "BATCH", 2):
            self.assertEqual(tasks.erase_old_ip_addresses(), 5)
        self.assertFalse(Comment.objects.filter(ip_address__isnull=False).exists())

    def test_the_worker_schedules_it(self):
        periodic.discover()
        job = periodic.JOBS["gazette.comments.tasks.erase_old_ip_addresses"]
        self.assertIs(job.run, tasks.erase_old_ip_addresses)
        self.assertLessEqual(job.every, timedelta(days=1))


class NothingPublicTest(CommentsTestCase):
    def test_no_page_or_feed_shows_an_email_ip_address_or_browser(self):
        post = self.make_post("Ridge")
        parent = self.add_comment(
            post,
            author_email="secret-ann@example.net",
            ip_address="203.0.113.99",
            user_agent="SecretBrowser/1.0",
        )
        self.add_comment(
            post,
            "Bo",
            parent=parent,
            author_email="secret-bo@example.net",
            ip_address="2001:db8::77",
        )
        urls = [
            post.get_absolute_url(),
            reverse("posts:home"),
            reverse("feeds:comments_atom"),
            reverse("feeds:comments_rss"),
            reverse("feeds:post_comments_atom", args=[post.pk]),
            reverse("feeds:post_comments_rss", args=[post.pk]),
        ]
        # The pages that show the comments, so that the checks below mean something.
        for url in (urls[0], urls[2], urls[5]):
            self.assertContains(self.client.get(url), "Hello there.")
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                text = response.content.decode()
                for secret in ("secret-", "203.0.113.99", "2001:db8::77", "Secret"):
                    self.assertNotIn(secret, text)

    def test_the_form_links_to_the_erase_request_page(self):
        post = self.make_post()
        response = self.client.get(post.get_absolute_url())
        self.assertContains(response, f'href="{reverse("comments:erase_request")}"')


class EraseLinkTest(CommentsTestCase):
    def setUp(self):
        super().setUp()
        self.post = self.make_post("Bread")
        self.ann = self.add_comment(
            self.post,
            "Ann",
            "Ann's first words.",
            author_email="Ann@Example.net",
            wants_reply_notifications=True,
            ip_address="198.51.100.4",
        )

    def link(self, email: str = EMAIL) -> str:
        return reverse("comments:erase", args=[notify.erase_token(email)])

    def test_a_reply_notification_carries_the_erase_link(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.send(self.post, parent=str(self.ann.pk), body="Answering Ann.")
        [reply] = [m for m in mail.outbox if "replied" in m.subject]
        self.assertEqual(reply.to, ["Ann@Example.net"])
        start = reply.body.index("http://testserver/comments/mine/")
        url = reply.body[start:].split()[0]
        response = Client().get(url)
        self.assertContains(response, "1 comment on")
        self.assertContains(response, "Erase my 1 comment")
        # The mail to the post's author carries no erase link for alice.
        [to_author] = [m for m in mail.outbox if m.to == ["alice@example.org"]]
        self.assertNotIn("/comments/mine/", to_author.body)

    def test_erasing_keeps_replies_counts_and_cached_pages_right(self):
        reply = self.add_comment(self.post, "Bo", "Bo answers.", parent=self.ann)
        own_reply = self.add_comment(
            self.post, "Ann", "Ann again.", parent=reply, author_email=EMAIL
        )
        held = self.add_comment(
            self.post, "Ann", "Held words.", author_email=EMAIL, status="held"
        )
        NotificationOptOut.objects.create(email=EMAIL)
        page = self.post.get_absolute_url()
        self.assertContains(self.client.get(page), "first words.")

        response = self.client_class().post(self.link())
        self.assertContains(
            response, "3 comments written with ann@example.net are erased"
        )
        self.assertFalse(
            Comment.objects.filter(pk__in=[self.ann.pk, own_reply.pk, held.pk]).exists()
        )
        reply.refresh_from_db()
        self.assertIsNone(reply.parent_id)  # moved up, still shown
        self.assertTrue(NotificationOptOut.objects.filter(email=EMAIL).exists())
        response = self.client.get(page)
        self.assertNotContains(response, "first words")
        self.assertNotContains(response, "Ann again.")
        self.assertContains(response, "Bo answers.")
        self.assertContains(response, '<h2 id="comments-heading">1 comment</h2>')

    def test_the_page_asks_before_erasing(self):
        response = self.client.get(self.link())
        self.assertContains(response, 'method="post"')
        self.assertTrue(Comment.objects.filter(pk=self.ann.pk).exists())
        self.assertNotContains(response, "canonical")  # the link stays unpublished
        self.assertEqual(response["Cache-Control"].count("no-store"), 1)

    def test_the_link_gives_a_copy(self):
        response = self.client.get(
            reverse("comments:erase_copy", args=[notify.erase_token(EMAIL)])
        )
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        data = json.loads(response.content)
        self.assertEqual(data["email"], EMAIL)
        [comment] = data["comments"]
        self.assertEqual(comment["text"], "Ann's first words.")
        self.assertEqual(comment["ip_address"], "198.51.100.4")
        self.assertNotIn("block_rules", data)

    def test_a_forged_or_cut_link_is_refused_with_a_clear_page(self):
        token = notify.erase_token(EMAIL)
        others = notify.unsubscribe_token(EMAIL)  # signed, but for another use
        for bad in (token[:-3] + "xyz", others, "abc", "x" * 5000, "..:..", "%00"):
            for method, name in (
                ("get", "erase"),
                ("post", "erase"),
                ("get", "erase_copy"),
            ):
                with self.subTest(bad=bad[:12], method=method, name=name):
                    response = getattr(Client(), method)(
                        reverse(f"comments:{name}", args=[bad])
                    )
                    self.assertContains(
                        response, "not one this blog made", status_code=400
                    )
        self.assertTrue(Comment.objects.filter(pk=self.ann.pk).exists())

    def test_an_expired_link_is_refused_and_offers_a_new_one(self):
        long_ago = time.time() - notify.ERASE_LINK_AGE.total_seconds() - 60
        with mock.patch("django.core.signing.time.time", return_value=long_ago):
            token = notify.erase_token(EMAIL)
        response = Client().post(reverse("comments:erase", args=[token]))
        self.assertContains(response, "This link has expired", status_code=400)
        self.assertContains(
            response, reverse("comments:erase_request"), status_code=400
        )
        self.assertTrue(Comment.objects.filter(pk=self.ann.pk).exists())


class EraseRequestTest(CommentsTestCase):
    def ask(self, email: str, client=None):
        url = reverse("comments:erase_request")
        return (client or self.client).post(url, {"email": email})

    def test_it_mails_the_link_and_answers_alike_for_unknown_addresses(self):
        post = self.make_post()
        self.add_comment(post, author_email=EMAIL)
        known = self.ask(" ANN@example.net ")
        unknown = self.ask("nobody@example.net")
        self.assertEqual(
            known.content.decode().replace(EMAIL, "@"),
            unknown.content.decode().replace("nobody@example.net", "@"),
        )
        [message] = mail.outbox
        self.assertEqual(message.to, [EMAIL])
        url = next(w for w in message.body.split() if "/comments/mine/" in w)
        self.assertContains(Client().get(url), "1 comment on")

    def test_it_sends_one_link_per_address_at_a_time(self):
        post = self.make_post()
        self.add_comment(post, author_email=EMAIL)
        first, again = self.ask(EMAIL), self.ask(EMAIL, Client())
        self.assertEqual(first.content, again.content)
        self.assertEqual(len(mail.outbox), 1)

    def test_an_address_that_opted_out_still_gets_the_link_it_asked_for(self):
        self.add_comment(self.make_post(), author_email=EMAIL)
        NotificationOptOut.objects.create(email=EMAIL)
        self.ask(EMAIL)
        self.assertEqual(len(mail.outbox), 1)

    def test_a_wrong_address_keeps_what_was_typed_and_says_why(self):
        response = self.ask("ann at example")
        self.assertContains(response, "Give a whole email address", status_code=400)
        self.assertContains(response, 'value="ann at example"', status_code=400)
        self.assertEqual(mail.outbox, [])


class PersonalDataTest(CommentsTestCase):
    """privacy.find/export/erase, and `gazette personal_data`."""

    def setUp(self):
        super().setUp()
        post = self.make_post()
        self.comment = self.add_comment(
            post, "Ann", author_email=EMAIL, ip_address="198.51.100.4"
        )
        self.other = self.add_comment(post, "Quinn", author_email="quinn@example.net")
        self.nobody = self.add_comment(post, "No address")
        NotificationOptOut.objects.create(email=EMAIL)
        BlockRule.objects.create(kind=BlockRule.Kind.EMAIL, value=EMAIL)
        BlockRule.objects.create(
            kind=BlockRule.Kind.EMAIL, value=EMAIL, owner=self.alice
        )
        BlockRule.objects.create(kind=BlockRule.Kind.DOMAIN, value="example.net")
        User = get_user_model()
        self.imported = User.objects.create(username="ann-old", email="ANN@example.net")
        self.imported.set_unusable_password()
        self.imported.save()
        ImportedAuthor.objects.create(ref="blogger:profile-7", user=self.imported)

    def test_it_finds_and_exports_everything_about_an_address(self):
        data = privacy.export(privacy.find(" Ann@Example.NET "))
        self.assertEqual([c["id"] for c in data["comments"]], [self.comment.pk])
        self.assertEqual(data["comments"][0]["ip_address"], "198.51.100.4")
        self.assertIsNotNone(data["notification_opt_out"])
        self.assertEqual(
            sorted(r["kept_by"] for r in data["block_rules"]), ["alice", "the blog"]
        )
        [account] = data["accounts"]
        self.assertEqual(account["imported_as"], ["blogger:profile-7"])
        json.dumps(data)  # ready for the download as it is

    def test_an_empty_address_matches_nothing(self):
        for email in ("", "  ", "not-an-address"):
            with self.subTest(email=email):
                self.assertTrue(privacy.find(email).is_empty)
                self.assertFalse(privacy.comments_by(email).exists())

    def test_erase_removes_it_all_and_nothing_else(self):
        erased = privacy.erase(EMAIL)
        self.assertEqual(
            (erased.comments, erased.opt_outs, erased.block_rules), (1, 1, 2)
        )
        self.assertTrue(privacy.find(EMAIL).is_empty)
        self.imported.refresh_from_db()
        self.assertEqual(self.imported.email, "")
        self.assertTrue(ImportedAuthor.objects.filter(user=self.imported).exists())
        self.assertEqual(
            set(Comment.objects.values_list("pk", flat=True)),
            {self.other.pk, self.nobody.pk},
        )
        self.assertTrue(BlockRule.objects.filter(kind=BlockRule.Kind.DOMAIN).exists())

    def test_erase_keeps_an_account_someone_signs_in_with(self):
        self.carol.email = EMAIL
        self.carol.save()
        erased = privacy.erase(EMAIL)
        self.assertEqual(erased.accounts_kept, ["carol"])
        self.assertEqual(erased.accounts_cleared, ["ann-old"])
        self.carol.refresh_from_db()
        self.assertEqual(self.carol.email, EMAIL)
        # Carol's request for no more mail still holds.
        self.assertTrue(NotificationOptOut.objects.filter(email=EMAIL).exists())

    def test_erase_is_one_transaction(self):
        # The last step fails, after the comments and the opt-out were deleted.
        User = get_user_model()
        with mock.patch.object(User, "save", side_effect=RuntimeError("disk full")):
            with self.assertRaises(RuntimeError):
                privacy.erase(EMAIL)
        self.assertTrue(Comment.objects.filter(pk=self.comment.pk).exists())
        self.assertTrue(NotificationOptOut.objects.filter(email=EMAIL).exists())
        self.assertEqual(BlockRule.objects.filter(value=EMAIL).count(), 2)

    def test_the_command_exports_to_a_private_file(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "ann.json"
            path.write_text("old")
            os.chmod(path, 0o644)
            call_command(
                "personal_data", "export", EMAIL, output=str(path), stdout=StringIO()
            )
            self.assertEqual(path.stat().st_mode & 0o777, 0o600)
            data = json.loads(path.read_text())
        self.assertEqual(data["comments"][0]["name"], "Ann")

    def test_the_command_prints_an_export(self):
        out = StringIO()
        call_command(
            "personal_data",
            "export",
            EMAIL,
            site_url="https://blog.example",
            stdout=out,
        )
        data = json.loads(out.getvalue())
        self.assertTrue(data["comments"][0]["url"].startswith("https://blog.example/"))

    def test_the_command_erases_after_asking(self):
        out = StringIO()
        with mock.patch("builtins.input", return_value="no"):
            with self.assertRaisesMessage(CommandError, "Nothing was erased"):
                call_command("personal_data", "erase", EMAIL, stdout=out)
        self.assertIn("Comments written with it: 1", out.getvalue())
        self.assertTrue(Comment.objects.filter(pk=self.comment.pk).exists())
        with mock.patch("builtins.input", return_value="yes"):
            call_command("personal_data", "erase", EMAIL, stdout=out)
        self.assertIn("Comments erased: 1", out.getvalue())
        self.assertTrue(privacy.find(EMAIL).is_empty)

    def test_the_command_refuses_a_malformed_address(self):
        with self.assertRaisesMessage(CommandError, "is not an email address"):
            call_command("personal_data", "erase", "", interactive=False)
        self.assertEqual(Comment.objects.count(), 3)
