from datetime import UTC, datetime, timedelta
from html import escape, unescape

import feedparser
from django.utils import timezone
from django.utils.http import http_date

from gazette.lib.htmlcheck import dangerous_parts
from gazette.posts.models import Post
from gazette.posts.writing import trash, write_entry
from gazette.site.models import SiteSettings
from gazette.test import BaseTestCase, add_comment, committed

FEED_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml"}


def as_html(value: str, detail) -> str:
    """What a reader puts into its page: text is escaped, HTML goes in as it is."""
    return (
        value
        if detail.type in ("text/html", "application/xhtml+xml")
        else escape(value)
    )


def shown(value: str, detail) -> str:
    """The text a reader shows for a title, whichever way the feed typed it."""
    return unescape(value) if detail.type == "text/html" else value


class FeedTestCase(BaseTestCase):
    def feed(self, path: str, fmt: str | None = None):
        """Fetch and parse a feed, checking that it is well-formed."""
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200, path)
        fmt = fmt or path.rsplit(".", 1)[-1]
        self.assertTrue(response["Content-Type"].startswith(FEED_TYPES[fmt]))
        parsed = feedparser.parse(response.content)
        self.assertFalse(parsed.bozo, f"{path}: {parsed.get('bozo_exception')}")
        self.assertEqual(parsed.version, "atom10" if fmt == "atom" else "rss20")
        return parsed


class PostFeedsTest(FeedTestCase):
    def test_it_lists_visible_posts_newest_first_in_atom_and_rss(self):
        older = self.make_post(
            "Older", hashtags=("Baking",), published_at=datetime(2019, 3, 1, tzinfo=UTC)
        )
        newer = self.make_post(
            "Bread & <butter>",
            hashtags=("Baking", "Walking"),
            published_at=datetime(2019, 3, 24, 12, tzinfo=UTC),
        )
        self.make_post("A draft", status=Post.Status.DRAFT)
        self.make_post("Tomorrow", days_ago=-1)
        self.make_post("Trashed", trashed_at=timezone.now())
        for fmt in ("atom", "rss"):
            with self.subTest(fmt=fmt):
                parsed = self.feed(f"/feeds/posts.{fmt}")
                self.assertEqual(
                    [shown(e.title, e.title_detail) for e in parsed.entries],
                    ["Bread & <butter>", "Older"],
                )
                entry = parsed.entries[0]
                self.assertEqual(
                    entry.link, "http://testserver" + newer.get_absolute_url()
                )
                self.assertEqual(
                    sorted(t.term for t in entry.tags), ["Baking", "Walking"]
                )
                self.assertEqual(entry.published_parsed[:5], (2019, 3, 24, 12, 0))
                self.assertEqual(entry.author, "Alice Ames")
                self.assertTrue(entry.id.startswith("tag:testserver,"))
                self.assertEqual(
                    parsed.entries[1].link,
                    "http://testserver" + older.get_absolute_url(),
                )
        atom = self.feed("/feeds/posts.atom")
        updated = datetime(*atom.entries[0].updated_parsed[:6]).replace(tzinfo=UTC)
        self.assertLess(abs(updated - newer.updated_at), timedelta(seconds=1))
        self.assertEqual(atom.feed.link, "http://testserver/")

    def test_entry_ids_never_change_after_publication(self):
        post = self.make_post("First title")
        before = self.feed("/feeds/posts.atom").entries[0]
        post.title = "Second title"
        post.slug = "second-title"
        assert post.published_at is not None
        post.published_at -= timedelta(days=40)
        with committed():
            write_entry(post)
        after = self.feed("/feeds/posts.atom").entries[0]
        self.assertEqual(after.id, before.id)
        self.assertNotEqual(after.link, before.link)
        self.assertEqual(self.feed("/feeds/posts.rss").entries[0].id, before.id)

    def test_full_content_has_absolute_addresses(self):
        self.make_post(
            "Hills",
            body='Up the #Ridge.\n\n![Hills at dawn](/media/hills.jpg "Dawn")\n\n'
            "[More](/p/about/)",
        )
        atom = self.feed("/feeds/posts.atom").entries[0]
        content = atom.content[0].value
        self.assertIn('src="http://testserver/media/hills.jpg"', content)
        self.assertIn('href="http://testserver/hashtag/Ridge/"', content)
        self.assertIn('href="http://testserver/p/about/"', content)
        self.assertNotIn('"/media/', content)
        rss = self.feed("/feeds/posts.rss").entries[0]
        self.assertIn('src="http://testserver/media/hills.jpg"', rss.summary)

    def test_a_site_setting_gives_excerpts_instead(self):
        site = SiteSettings.load()
        site.feed_full_content = False
        site.save()
        self.make_post("Long", body="First words here.\n\nSecond paragraph *there*.")
        atom = self.feed("/feeds/posts.atom").entries[0]
        self.assertNotIn("content", atom)
        self.assertEqual(atom.summary, "First words here. Second paragraph there.")
        rss = self.feed("/feeds/posts.rss").entries[0]
        self.assertNotIn("<em>", rss.summary)

    def test_the_feed_speaks_the_blogs_language_and_title(self):
        site = SiteSettings.load()
        site.title = "Field & Notes"
        site.language = "de"
        site.save()
        self.make_post("Hallo")
        parsed = self.feed("/feeds/posts.atom")
        self.assertEqual(parsed.feed.title, "Field & Notes")
        self.assertEqual(parsed.feed.language, "de")

    def test_a_hashtag_has_its_own_feeds(self):
        self.make_post("Loaf", hashtags=("Baking",))
        self.make_post("Walk", hashtags=("Walking",))
        for fmt in ("atom", "rss"):
            with self.subTest(fmt=fmt):
                parsed = self.feed(f"/feeds/hashtag/baking.{fmt}")
                self.assertEqual([e.title for e in parsed.entries], ["Loaf"])
                self.assertIn("#Baking", parsed.feed.title)
        self.assertEqual(
            self.client.get("/feeds/hashtag/Knitting.atom").status_code, 404
        )

    def test_an_empty_blog_has_valid_empty_feeds(self):
        for path in ("/feeds/posts.atom", "/feeds/posts.rss", "/feeds/comments.atom"):
            with self.subTest(path=path):
                self.assertEqual(self.feed(path).entries, [])

    def test_pages_announce_the_feeds_that_apply(self):
        post = self.make_post("Loaf", hashtags=("Baking",))
        home = self.client.get("/")
        self.assertContains(
            home,
            '<link rel="alternate" type="application/atom+xml" '
            'title="Gazette (Atom)" href="/feeds/posts.atom">',
            html=True,
        )
        self.assertContains(home, 'type="application/rss+xml"')
        self.assertContains(home, 'href="/feeds/comments.atom"')
        self.assertNotContains(home, "/feeds/hashtag/")
        hashtag = self.client.get("/hashtag/Baking/")
        self.assertContains(hashtag, 'href="/feeds/hashtag/Baking.atom"')
        self.assertContains(hashtag, 'href="/feeds/hashtag/Baking.rss"')
        detail = self.client.get(post.get_absolute_url())
        self.assertContains(detail, f'href="/feeds/posts/{post.pk}/comments.atom"')
        self.assertContains(detail, f'href="/feeds/posts/{post.pk}/comments.rss"')
        self.assertContains(detail, 'href="/feeds/posts.atom"')


class CommentFeedsTest(FeedTestCase):
    def test_it_lists_approved_comments_on_visible_posts(self):
        post = self.make_post("Loaf")
        other = self.make_post("Walk")
        draft = self.make_post("Draft", status=Post.Status.DRAFT)
        first = add_comment(post, "Marta", "Lovely *crumb*.")
        add_comment(other, "Jonas", "Which path?")
        add_comment(post, "Held", "Buy now", status="held")
        add_comment(post, "Spam", "Buy now", status="spam")
        add_comment(draft, "Early", "Not yet shown.")
        for fmt in ("atom", "rss"):
            with self.subTest(fmt=fmt):
                parsed = self.feed(f"/feeds/comments.{fmt}")
                self.assertEqual(
                    [e.title for e in parsed.entries],
                    ["Jonas on “Walk”", "Marta on “Loaf”"],
                )
                entry = parsed.entries[1]
                self.assertEqual(
                    entry.link,
                    f"http://testserver{post.get_absolute_url()}#comment-{first.pk}",
                )
                self.assertIn("<em>crumb</em>", entry.summary)
                self.assertEqual(entry.author, "Marta")
                self.assertTrue(entry.id.startswith("tag:testserver,"))
                self.assertIsNotNone(entry.published_parsed)

                mine = self.feed(f"/feeds/posts/{post.pk}/comments.{fmt}")
                self.assertEqual([e.author for e in mine.entries], ["Marta"])
                self.assertIn("Loaf", mine.feed.title)
        self.assertEqual(
            self.client.get(f"/feeds/posts/{draft.pk}/comments.atom").status_code, 404
        )
        self.assertEqual(
            self.client.get("/feeds/posts/999999/comments.rss").status_code, 404
        )

    def test_hostile_comments_stay_inert(self):
        post = self.make_post("Loaf")
        payloads = [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "]]><script>alert(2)</script><![CDATA[",
            "<svg onload=alert(3)>",
            "[click](javascript:alert(4))",
            "<a href='javascript:alert(5)'>x</a>",
            "&lt;script&gt;alert(6)&lt;/script&gt;",
            "\x0bcontrol\x01characters\x1f",
        ]
        for n, payload in enumerate(payloads):
            add_comment(
                post,
                name=payload[:100],
                body=f"{payload}\n\n<iframe src=//evil.example></iframe> {payload}",
                author_url=[
                    "javascript:alert(7)",
                    'https://example.org/"><script>alert(8)</script>',
                    "data:text/html,<script>alert(9)</script>",
                ][n % 3],
            )
        for path in (
            "/feeds/comments.atom",
            "/feeds/comments.rss",
            f"/feeds/posts/{post.pk}/comments.atom",
            f"/feeds/posts/{post.pk}/comments.rss",
        ):
            with self.subTest(path=path):
                raw = self.client.get(path).content.decode()
                self.assertNotIn("<script", raw)
                self.assertNotIn("<iframe", raw)
                parsed = self.feed(path)
                self.assertEqual(len(parsed.entries), len(payloads))
                for entry in parsed.entries:
                    parts = [
                        as_html(entry.title, entry.title_detail),
                        as_html(entry.summary, entry.summary_detail),
                        escape(entry.get("author", "")),
                    ]
                    parts += [as_html(c.value, c) for c in entry.get("content", [])]
                    href = entry.get("author_detail", {}).get("href", "")
                    if href:
                        self.assertTrue(href.startswith("https://"), href)
                        parts.append(f'<a href="{href}">x</a>')
                    for part in parts:
                        self.assertEqual(dangerous_parts(part), [], part)

    def test_every_rss_text_is_escaped_the_way_readers_read_it(self):
        # RSS readers take the channel's title and description and the items'
        # titles as HTML: text in them must arrive escaped, and show as typed.
        hostile = "<script>alert(1)</script>"
        site = SiteSettings.load()
        site.title = "Notes <script>alert(2)</script>"
        site.description = "About <script>alert(3)</script>"
        site.save()
        post = self.make_post(hostile, hashtags=("Baking",))
        add_comment(post, name="Eve <script>alert(4)</script>")
        for path in (
            "/feeds/posts.rss",
            "/feeds/hashtag/baking.rss",
            "/feeds/comments.rss",
            f"/feeds/posts/{post.pk}/comments.rss",
        ):
            with self.subTest(path=path):
                raw = self.client.get(path).content.decode()
                self.assertNotIn("<script", raw)
                channel_title = raw.split("<title>", 1)[1].split("</title>", 1)[0]
                self.assertIn("&amp;lt;script", channel_title)
                parsed = self.feed(path)
                fields = [parsed.feed.title_detail, parsed.feed.subtitle_detail]
                for entry in parsed.entries:
                    fields += [entry.title_detail, entry.summary_detail]
                self.assertEqual(len(parsed.entries), 1)
                for detail in fields:
                    # As a reader puts it into its page: no script element...
                    self.assertEqual(
                        dangerous_parts(as_html(detail.value, detail)), [], detail
                    )
                # ...and the text shows literally, as it was written.
                for detail in fields[:1] + fields[2:3]:
                    self.assertIn("<script>alert(", shown(detail.value, detail))


class ConditionalGetTest(FeedTestCase):
    def test_every_feed_answers_304_until_it_changes(self):
        post = self.make_post("Loaf", hashtags=("Baking",))
        add_comment(post)
        paths = [
            "/feeds/posts.atom",
            "/feeds/posts.rss",
            "/feeds/hashtag/Baking.atom",
            "/feeds/hashtag/Baking.rss",
            "/feeds/comments.atom",
            "/feeds/comments.rss",
            f"/feeds/posts/{post.pk}/comments.atom",
            f"/feeds/posts/{post.pk}/comments.rss",
        ]
        first = {}
        for path in paths:
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                etag, modified = response["ETag"], response["Last-Modified"]
                first[path] = etag
                again = self.client.get(path, headers={"if-none-match": etag})
                self.assertEqual(again.status_code, 304)
                self.assertEqual(again.content, b"")
                self.assertEqual(again["ETag"], etag)
                since = self.client.get(path, headers={"if-modified-since": modified})
                self.assertEqual(since.status_code, 304)
                stale = self.client.get(path, headers={"if-none-match": '"stale"'})
                self.assertEqual(stale.status_code, 200)

        # An edit with a new comment changes every feed.
        post.body = "A better loaf."
        write_entry(post)
        add_comment(post, "Jonas")
        for path in paths:
            with self.subTest(path=path, after="change"):
                response = self.client.get(path, headers={"if-none-match": first[path]})
                self.assertEqual(response.status_code, 200)
                self.assertNotEqual(response["ETag"], first[path])

    def test_a_removed_post_changes_the_etag(self):
        self.make_post("Stays")
        going = self.make_post("Goes")
        etag = self.client.get("/feeds/posts.atom")["ETag"]
        with committed():
            trash(going)
        response = self.client.get("/feeds/posts.atom", headers={"if-none-match": etag})
        self.assertEqual(response.status_code, 200)

    def test_last_modified_is_the_newest_change(self):
        self.make_post("Loaf", published_at=datetime(2019, 3, 24, tzinfo=UTC))
        # Changed an hour ago: the feed says so, not when it was rendered (the
        # page cache keeps a response's own Last-Modified).
        Post.objects.update(updated_at=timezone.now() - timedelta(hours=1))
        post = Post.objects.get()
        for attempt in ("rendered", "from the page cache"):
            with self.subTest(attempt):
                response = self.client.get("/feeds/posts.atom")
                self.assertEqual(
                    response["Last-Modified"], http_date(post.updated_at.timestamp())
                )
        self.assertEqual(response["X-Gazette-Cache"], "hit")


class BloggerAddressesTest(FeedTestCase):
    def test_they_lead_to_the_matching_feeds(self):
        self.make_post("Loaf", hashtags=("Baking", "NightSky"))
        add_comment(Post.objects.get())
        cases = {
            "/feeds/posts/default": "/feeds/posts.atom",
            "/feeds/posts/default?alt=rss": "/feeds/posts.rss",
            "/feeds/posts/default?alt=atom": "/feeds/posts.atom",
            "/feeds/posts/summary": "/feeds/posts.atom",
            "/feeds/posts/default/-/Baking": "/feeds/hashtag/Baking.atom",
            "/feeds/posts/default/-/baking?alt=rss": "/feeds/hashtag/Baking.rss",
            "/feeds/posts/default/-/Night%20Sky": "/feeds/hashtag/NightSky.atom",
            "/feeds/comments/default": "/feeds/comments.atom",
            "/feeds/comments/default?alt=rss": "/feeds/comments.rss",
            "/atom.xml": "/feeds/posts.atom",
            "/rss.xml": "/feeds/posts.rss",
        }
        for old, new in cases.items():
            with self.subTest(old=old):
                response = self.client.get(old)
                self.assertEqual(response.status_code, 301)
                self.assertEqual(response["Location"], new)
                self.assertTrue(self.feed(new).entries)

    def test_an_unknown_label_is_a_404(self):
        response = self.client.get("/feeds/posts/default/-/Knitting")
        self.assertEqual(response.status_code, 404)
        response = self.client.get("/feeds/posts/default/-/%E2%80%A2%E2%80%A2")
        self.assertEqual(response.status_code, 404)
