"""Sending webmentions for the links in posts, played against a remote site on
loopback; discovery follows the cases webmention.rocks sets for senders."""

import socket
from datetime import timedelta
from urllib.parse import parse_qs

from django.tasks import default_task_backend
from django.test import override_settings
from django.utils import timezone

from gazette.posts.models import Post
from gazette.posts.writing import bulk_writes, trash, unpublish, write_entry
from gazette.test import BaseTestCase, committed
from gazette.webmentions import sending
from gazette.webmentions.models import Sent
from gazette.webmentions.tests.remote import RemoteSiteMixin

BLOG = "http://blog.example"


@override_settings(
    GAZETTE_FETCH_ALLOW_LOOPBACK=True,
    GAZETTE_SEND_WEBMENTIONS=True,
    ALLOWED_HOSTS=["blog.example", "testserver"],
)
class SendingTest(RemoteSiteMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.site.pages.clear()
        self.site.posts.clear()
        self.site.post_status.clear()

    def page_with_endpoint(self, path: str) -> str:
        """A page at `path` whose endpoint is `path` + "/endpoint" (Link header)."""
        endpoint = self.site.url + path + "/endpoint"
        return self.site.put(path, "<p>Hi.</p>", Link=f'<{endpoint}>; rel="webmention"')

    def linking(self, *urls: str) -> str:
        return " ".join(f"See [this]({url})." for url in urls)

    def sent_to(self) -> list[tuple[str, dict[str, list[str]]]]:
        """(endpoint path, form) of each POST the remote site received."""
        found = []
        for path, content_type, body in self.site.posts:
            self.assertEqual(content_type, "application/x-www-form-urlencoded")
            found.append((path, parse_qs(body.decode())))
        return found

    def source(self, post: Post) -> str:
        return BLOG + post.get_absolute_url()

    def test_it_finds_the_endpoint_in_a_link_header(self):
        target = self.page_with_endpoint("/header")
        post = self.make_post("Linking", body=self.linking(target))
        form = {"source": [self.source(post)], "target": [target]}
        self.assertEqual(self.sent_to(), [("/header/endpoint", form)])
        sent = Sent.objects.get(post=post)
        self.assertEqual(sent.status, Sent.Status.SENT)
        self.assertEqual(sent.endpoint, self.site.url + "/header/endpoint")
        self.assertEqual(sent.response_code, 202)
        self.assertTrue(sent.is_linked)

    def test_it_resolves_a_relative_link_element_against_the_final_address(self):
        html = '<head><link rel="webmention" href="hook?version=2&amp;a=b"></head>'
        self.site.put("/docs/page", html)
        # The post links to an address that redirects: the endpoint is relative
        # to where the redirect led, its query kept, and the target as linked.
        target = self.site.put(
            "/moved", "", status=301, Location=self.site.url + "/docs/page"
        )
        post = self.make_post("Moved", body=self.linking(target))
        [(path, form)] = self.sent_to()
        self.assertEqual(path, "/docs/hook?version=2&a=b")
        self.assertEqual(form, {"source": [self.source(post)], "target": [target]})

    def test_it_finds_an_endpoint_named_only_by_an_anchor(self):
        html = (
            '<p>Send a <a rel="nofollow webmention" href="/anchor-ep">mention</a></p>'
        )
        target = self.site.put("/anchored", html)
        self.make_post("Anchor", body=self.linking(target))
        self.assertEqual([path for path, _ in self.sent_to()], ["/anchor-ep"])

    def test_it_records_a_target_without_an_endpoint_and_posts_nothing(self):
        target = self.site.put("/plain", "<p>No endpoint here.</p>")
        post = self.make_post("Plain", body=self.linking(target))
        self.assertEqual(self.site.posts, [])
        sent = Sent.objects.get(post=post)
        self.assertEqual((sent.status, sent.endpoint), (Sent.Status.NO_ENDPOINT, ""))

    def test_it_records_failures_and_goes_on_with_the_other_targets(self):
        with socket.socket() as closed:  # a port nothing listens on
            closed.bind(("127.0.0.1", 0))
            dead = f"http://127.0.0.1:{closed.getsockname()[1]}/ep"
        broken = self.site.put("/broken", "Oops", status=500)
        unreachable = self.site.put("/dead-ep", "", Link=f'<{dead}>; rel="webmention"')
        refusing = self.page_with_endpoint("/refusing")
        self.site.post_status["/refusing/endpoint"] = 400
        fine = self.page_with_endpoint("/fine")
        post = self.make_post(
            "Mixed", body=self.linking(broken, unreachable, refusing, fine)
        )
        rows = {s.target: s for s in Sent.objects.filter(post=post)}
        self.assertEqual(rows[broken].status, Sent.Status.FAILED)
        self.assertIn("500", rows[broken].reason)
        self.assertEqual(rows[unreachable].status, Sent.Status.FAILED)
        self.assertEqual(rows[unreachable].endpoint, dead)
        self.assertIn("failed", rows[unreachable].reason)
        self.assertEqual(rows[refusing].status, Sent.Status.FAILED)
        self.assertEqual(rows[refusing].response_code, 400)
        self.assertEqual(rows[fine].status, Sent.Status.SENT)

    def test_an_update_notifies_a_removed_link_once(self):
        kept, dropped = (
            self.page_with_endpoint("/kept"),
            self.page_with_endpoint("/gone"),
        )
        post = self.make_post("Two links", body=self.linking(kept, dropped))
        self.site.posts.clear()
        post.body = self.linking(kept) + " Edited."
        with committed():
            write_entry(post)
        # Both hear of it: the kept link sees the new text, the dropped one
        # that it is no longer linked to.
        self.assertEqual(
            sorted(path for path, _ in self.sent_to()),
            ["/gone/endpoint", "/kept/endpoint"],
        )
        self.assertFalse(Sent.objects.get(post=post, target=dropped).is_linked)
        self.site.posts.clear()
        post.body = self.linking(kept) + " Edited again."
        with committed():
            write_entry(post)
        self.assertEqual([path for path, _ in self.sent_to()], ["/kept/endpoint"])

    def test_an_unchanged_post_sends_nothing_new(self):
        target = self.page_with_endpoint("/once")
        post = self.make_post("Once", body=self.linking(target))
        self.assertEqual(len(self.site.posts), 1)
        post.excerpt = "A new excerpt readers see, but not the linked text."
        with committed():
            write_entry(post)
        self.assertEqual(sending.send_for_post(post, BLOG), [])
        self.assertEqual(len(self.site.posts), 1)

    def test_a_draft_sends_nothing(self):
        target = self.page_with_endpoint("/draft")
        self.make_post("Draft", body=self.linking(target), status=Post.Status.DRAFT)
        self.assertEqual((self.site.posts, Sent.objects.count()), ([], 0))

    def test_a_post_scheduled_for_later_sends_nothing_yet(self):
        target = self.page_with_endpoint("/later")
        self.make_post("Later", body=self.linking(target), days_ago=-1)
        self.assertEqual((self.site.posts, Sent.objects.count()), ([], 0))

    @override_settings(
        TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    )
    def test_a_post_scheduled_for_later_is_queued_for_its_time(self):
        target = self.page_with_endpoint("/queued")
        post = self.make_post("Queued", body=self.linking(target), days_ago=-1)
        now, later = default_task_backend.results  # type: ignore[attr-defined]
        self.assertEqual(
            (now.task.run_after, later.task.run_after), (None, post.published_at)
        )
        self.assertEqual(later.args, [post.pk, BLOG])

    def test_moving_a_post_to_a_later_time_tells_its_targets_now(self):
        target = self.page_with_endpoint("/rescheduled")
        post = self.make_post("Rescheduled", body=self.linking(target))
        post.published_at = timezone.now() + timedelta(days=2)
        with committed():
            write_entry(post)
        self.assertEqual(
            [path for path, _ in self.sent_to()], ["/rescheduled/endpoint"] * 2
        )
        self.assertFalse(Sent.objects.get(post=post).is_linked)

    def test_an_import_sends_nothing(self):
        target = self.page_with_endpoint("/imported")
        post = Post(
            title="Imported",
            slug="imported",
            body=self.linking(target),
            status=Post.Status.PUBLISHED,
            author=self.alice,
        )
        with committed(), bulk_writes():
            write_entry(post, [], keep_revision=False)
        self.assertTrue(post.is_visible)
        self.assertEqual((self.site.posts, Sent.objects.count()), ([], 0))

    def test_the_setting_turns_sending_off(self):
        target = self.page_with_endpoint("/off")
        with self.settings(GAZETTE_SEND_WEBMENTIONS=False):
            self.make_post("Off", body=self.linking(target))
        self.assertEqual((self.site.posts, Sent.objects.count()), ([], 0))

    def test_unpublishing_or_trashing_tells_the_targets_once(self):
        for name, take_down in (("unpublish", unpublish), ("trash", trash)):
            with self.subTest(name):
                self.site.posts.clear()
                target = self.page_with_endpoint("/" + name)
                post = self.make_post(name, body=self.linking(target))
                source = self.source(post)
                with committed():
                    take_down(post)
                form = {"source": [source], "target": [target]}
                self.assertEqual(self.sent_to()[1:], [(f"/{name}/endpoint", form)])
                self.assertFalse(Sent.objects.get(post=post).is_linked)
                self.assertEqual(sending.send_for_post(post, BLOG), [])

    @override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=False)
    def test_a_private_address_is_never_fetched(self):
        target = self.page_with_endpoint("/private")
        post = self.make_post("Private", body=self.linking(target))
        self.assertEqual(self.site.posts, [])
        sent = Sent.objects.get(post=post)
        self.assertEqual(sent.status, Sent.Status.FAILED)
        self.assertIn("not a public address", sent.reason)

    def test_it_skips_own_pages_other_schemes_and_links_past_the_limit(self):
        outside = [f"https://far.example/{n}" for n in range(sending.MAX_TARGETS + 5)]
        body = self.linking(
            "/2020/01/an-older-post/",
            BLOG + "/about/",
            "mailto:someone@far.example",
            "ftp://files.far.example/x",
            "https://far.example/0#a-heading",  # the same page as the first
            *outside,
        )
        post = Post(title="Links", slug="links", body=body, author=self.alice)
        with self.settings(GAZETTE_SEND_WEBMENTIONS=False):
            write_entry(post, [])
        found = sending.targets(post, self.source(post))
        self.assertEqual(found, outside[: sending.MAX_TARGETS])
