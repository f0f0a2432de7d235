"""Receiving webmentions, played against a remote site on loopback; the cases
follow those webmention.rocks describes for receivers."""

from django.test import override_settings
from django.urls import reverse

from gazette.comments import moderation
from gazette.comments.models import BlockRule, Comment
from gazette.lib import fetch
from gazette.test import BaseTestCase, committed
from gazette.webmentions.models import Received
from gazette.webmentions.tests.remote import RemoteSiteMixin

REPLY = """<!doctype html><title>Re: a post</title>
<article class="h-entry">
  <a class="p-author h-card" href="https://erin.example/">Erin Eastwood</a>
  <p>In reply to <a class="u-in-reply-to" href="{target}">this post</a>.</p>
  <div class="e-content">Quite right about the <em>tides</em>.</div>
  <time class="dt-published" datetime="2026-03-01T10:00:00Z">1 March</time>
</article>"""
LIKE = """<div class="h-entry"><a class="p-author h-card" href="https://fay.example/">Fay</a>
liked <a class="u-like-of" href="{target}">a post</a></div>"""
NO_LINK = (
    """<div class="h-entry"><p class="e-content">Nothing to see, no link.</p></div>"""
)


@override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True)
class ReceivingTest(RemoteSiteMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.post = self.make_post("Tides")
        self.target = "http://testserver" + self.post.get_absolute_url()

    def send(self, source: str, target: str | None = None):
        return self.client.post(
            reverse("webmentions:endpoint"),
            {"source": source, "target": target or self.target},
        )

    def test_it_refuses_what_is_not_a_webmention_for_this_blog(self):
        source = self.site.put("/r", REPLY.format(target=self.target))
        for data in (
            {"source": "ftp://x.example/", "target": self.target},
            {"source": source, "target": "http://elsewhere.example/2026/01/tides/"},
            {"source": source, "target": "http://testserver/no/such/post/"},
            {"source": self.target, "target": self.target},
            {"source": source},
        ):
            with self.subTest(data):
                answer = self.client.post(reverse("webmentions:endpoint"), data)
                self.assertEqual(answer.status_code, 400)
        self.assertEqual(
            self.client.get(reverse("webmentions:endpoint")).status_code, 405
        )
        self.assertFalse(Received.objects.exists())

    def test_one_address_is_slowed_after_a_few(self):
        from gazette.webmentions.views import PER_IP

        data = {"source": "ftp://x.example/", "target": self.target}
        url = reverse("webmentions:endpoint")
        answers = [
            self.client.post(url, data, REMOTE_ADDR="198.51.100.40").status_code
            for _ in range(PER_IP + 2)
        ]
        self.assertEqual(answers[:PER_IP], [400] * PER_IP)
        self.assertEqual(answers[PER_IP:], [429, 429])
        # Another address is not affected.
        other = self.client.post(url, data, REMOTE_ADDR="198.51.100.41")
        self.assertEqual(other.status_code, 400)

    def test_a_reply_becomes_a_comment_after_moderation(self):
        source = self.site.put("/reply", REPLY.format(target=self.target))
        answer = self.send(source)
        self.assertEqual(answer.status_code, 202)
        received = Received.objects.get()
        self.assertEqual((received.kind, received.status), ("reply", "verified"))
        comment = received.comment
        assert comment is not None
        self.assertEqual(comment.status, Comment.Status.HELD)
        self.assertEqual(comment.author_name, "Erin Eastwood")
        self.assertEqual(comment.author_url, "https://erin.example/")
        self.assertEqual(comment.source_url, source)
        self.assertIn("Quite right about the tides.", comment.body)
        self.assertNotContains(self.client.get(self.target), "Quite right")

        self.client.force_login(self.alice)
        desk = self.client.get(reverse("desk:comments") + "?status=held")
        self.assertContains(desk, f'via <a href="{source}"')
        with committed():
            moderation.moderate([comment], "approve", by=self.alice)
        self.client.logout()
        page = self.client.get(self.target)
        self.assertContains(page, "Quite right about the tides.")
        self.assertContains(page, "via webmention")

    def test_a_spoofed_source_that_does_not_link_stores_nothing(self):
        source = self.site.put("/spoof", NO_LINK)
        self.assertEqual(self.send(source).status_code, 202)
        received = Received.objects.get()
        self.assertEqual(received.status, "rejected")
        self.assertIsNone(received.comment)
        self.assertFalse(Comment.objects.exists())

    def test_a_like_is_kept_without_a_comment(self):
        source = self.site.put("/like", LIKE.format(target=self.target))
        self.send(source)
        received = Received.objects.get()
        self.assertEqual((received.kind, received.status), ("like", "verified"))
        self.assertEqual(received.author_name, "Fay")
        self.assertFalse(Comment.objects.exists())
        # Counted under the post, with who liked it, until the source goes.
        page = self.client.get(self.post.get_absolute_url()).content.decode()
        self.assertRegex(page, r'<p class="reactions">\s*1 like,\s*from')
        self.assertIn(">Fay</a>", page)
        self.site.put("/like", "Gone.", status=410)
        self.send(source)
        page = self.client.get(self.post.get_absolute_url()).content.decode()
        self.assertNotIn('class="reactions"', page)

    def test_a_mention_without_microformats_is_a_mention(self):
        source = self.site.put(
            "/plain", f'<p>See <a href="{self.target}">this</a>.</p>'
        )
        self.send(source)
        self.assertEqual(Received.objects.get().kind, "mention")

    def test_sending_again_updates_rather_than_duplicates(self):
        source = self.site.put("/reply", REPLY.format(target=self.target))
        self.send(source)
        comment = Received.objects.get().comment
        assert comment is not None
        with committed():
            moderation.moderate([comment], "approve", by=self.alice)
        self.send(source)
        self.assertEqual(Received.objects.count(), 1)
        self.assertEqual(Comment.objects.get().status, Comment.Status.APPROVED)

        edited = REPLY.format(target=self.target).replace("<em>tides", "<em>moon")
        self.site.put("/reply", edited)
        self.send(source)
        comment.refresh_from_db()
        self.assertIn("moon", comment.body)
        # A harmless correction stays on the page...
        self.assertEqual(comment.status, Comment.Status.APPROVED)
        # ...but the new text is judged as the first was.
        BlockRule.objects.create(kind=BlockRule.Kind.DOMAIN, value="pills.example")
        self.site.put(
            "/reply", edited.replace("moon", "moon, see https://pills.example/ now")
        )
        self.send(source)
        comment.refresh_from_db()
        self.assertEqual(comment.status, Comment.Status.SPAM)
        self.assertNotContains(self.client.get(self.target), "pills.example")

    def test_a_source_that_drops_the_link_loses_its_comment(self):
        source = self.site.put("/reply", REPLY.format(target=self.target))
        self.send(source)
        self.assertEqual(Comment.objects.count(), 1)
        self.site.put("/reply", NO_LINK)
        self.send(source)
        self.assertFalse(Comment.objects.exists())
        self.assertEqual(Received.objects.get().status, "deleted")

    def test_a_deleted_source_loses_its_comment(self):
        source = self.site.put("/reply", REPLY.format(target=self.target))
        self.send(source)
        self.site.put("/reply", "Gone.", 410)
        self.send(source)
        self.assertFalse(Comment.objects.exists())
        self.assertEqual(Received.objects.get().status, "deleted")

    def test_a_huge_source_is_refused(self):
        padding = "<p>" + "words " * (fetch.MAX_BYTES // 6) + "</p>"
        source = self.site.put("/huge", REPLY.format(target=self.target) + padding)
        self.assertEqual(self.send(source).status_code, 202)
        received = Received.objects.get()
        self.assertEqual(received.status, "rejected")
        self.assertIn("bytes", received.reason)
        self.assertFalse(Comment.objects.exists())

    def test_a_redirect_to_a_private_address_is_refused(self):
        source = self.site.put("/bounce", "", 302, Location="http://169.254.169.254/")
        self.send(source)
        received = Received.objects.get()
        self.assertEqual(received.status, "rejected")
        self.assertIn("not a public address", received.reason)

    @override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=False)
    def test_a_loopback_source_is_refused_by_default(self):
        source = self.site.put("/reply", REPLY.format(target=self.target))
        self.send(source)
        self.assertEqual(Received.objects.get().status, "rejected")
        self.assertFalse(Comment.objects.exists())


class AdvertisingTest(BaseTestCase):
    def test_post_pages_name_the_endpoint_even_from_the_cache(self):
        post = self.make_post("Tides")
        endpoint = "http://testserver" + reverse("webmentions:endpoint")
        first = self.client.get(post.get_absolute_url())
        again = self.client.get(post.get_absolute_url())
        self.assertEqual(again["X-Gazette-Cache"], "hit")
        for page in (first, again):
            self.assertEqual(page["Link"], f'<{endpoint}>; rel="webmention"')
        self.assertContains(first, '<link rel="webmention" href="/webmention/">')

    def test_the_endpoint_is_never_cached(self):
        answer = self.client.post(reverse("webmentions:endpoint"), {})
        self.assertEqual(answer.status_code, 400)
        self.assertIn("no-cache", answer["Cache-Control"])
