"""What a post's page offers beyond the post: its reading time, plain share
links and the posts sharing its hashtags."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gazette.posts.templatetags.gazette import reading_time
from gazette.posts.writing import write_entry
from gazette.test import BaseTestCase, add_comment, committed


def share_hrefs(html: str) -> dict[str, str]:
    """The share links' addresses by their text, as a browser reads them."""
    section = re.search(r'<section class="share-links".*?</section>', html, re.S)
    assert section is not None, "no share links on the page"
    links = re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', section.group(0))
    return {name: unescape(href) for href, name in links}


def related_titles(html: str) -> list[str]:
    section = re.search(r'<section class="related-posts".*?</section>', html, re.S)
    if section is None:
        return []
    return [unescape(t) for t in re.findall(r">([^<]+)</a>", section.group(0))]


class ReadingTimeTest(BaseTestCase):
    def test_a_short_post_takes_a_minute(self):
        post = self.make_post("Short", body="Only a few words here.")
        page = self.client.get(post.get_absolute_url())
        self.assertContains(page, "· 1 min read")

    def test_a_long_post_takes_its_words_over_220_a_minute(self):
        body = "\n\n".join(["word " * 100] * 11)  # 1,100 words
        post = self.make_post("Long", body=body)
        page = self.client.get(post.get_absolute_url())
        self.assertContains(page, "· 5 min read")

    def test_tags_and_their_attributes_are_not_words(self):
        html = '<p class="a b c d e f">one <a href="/x y z">two</a></p>' * 330
        self.assertEqual(reading_time(html), "3 min read")  # 660 words
        self.assertEqual(reading_time(""), "1 min read")


class ShareLinksTest(BaseTestCase):
    def test_each_network_gets_the_title_and_address_escaped(self):
        title = 'Bread & "butter" <tonight>'
        post = self.make_post(title)
        page = self.client.get(post.get_absolute_url()).content.decode()
        url = "http://testserver" + post.get_absolute_url()
        hrefs = share_hrefs(page)
        self.assertEqual(
            list(hrefs), ["Email", "Mastodon", "Bluesky", "LinkedIn", "Facebook", "X"]
        )

        def params(href: str) -> dict[str, list[str]]:
            return parse_qs(urlsplit(href).query)

        self.assertTrue(hrefs["Email"].startswith("mailto:?"))
        self.assertEqual(params(hrefs["Email"]), {"subject": [title], "body": [url]})
        self.assertNotIn("+", hrefs["Email"])  # mail clients read "+" as a plus
        self.assertEqual(params(hrefs["Mastodon"]), {"text": [f"{title} {url}"]})
        self.assertEqual(params(hrefs["Bluesky"]), {"text": [f"{title} {url}"]})
        self.assertEqual(params(hrefs["LinkedIn"]), {"url": [url]})
        self.assertEqual(params(hrefs["Facebook"]), {"u": [url]})
        self.assertEqual(params(hrefs["X"]), {"url": [url], "text": [title]})
        # The raw markup never carries the title's quotes or brackets unescaped.
        self.assertNotIn(title, page)
        self.assertIn("Bread%20%26%20%22butter%22%20%3Ctonight%3E", page)

    def test_the_links_are_plain_and_nothing_loads_from_other_sites(self):
        post = self.make_post("Plain", hashtags=("Walks",))
        self.make_post("Also walking", hashtags=("Walks",), days_ago=2)
        page = self.client.get(post.get_absolute_url()).content.decode()
        self.assertEqual(len(share_hrefs(page)), 6)
        for link in re.findall(r"<a [^>]*https://[^>]*>", page):
            self.assertIn('rel="noopener noreferrer nofollow"', link)
        self.assertNotIn("<iframe", page)
        sources = re.findall(r'\s(?:src|srcset|data)="([^"]*)"', page)
        sources += re.findall(r'<(?:link|script)\b[^>]*\shref="([^"]*)"', page)
        self.assertTrue(sources)  # the page's own stylesheets at least
        for source in sources:
            self.assertFalse(
                re.match(r"(?:[a-z]+:)?//", source) and "//testserver/" not in source,
                source,
            )

    def test_a_shared_preview_offers_no_share_links(self):
        token = "p" * 32
        self.make_post("Not yet", status="draft", preview_token=token)
        page = self.client.get(f"/preview/{token}/").content.decode()
        self.assertIn("Not yet", page)
        self.assertNotIn("share-links", page)


class RelatedPostsTest(BaseTestCase):
    def test_the_posts_sharing_most_hashtags_come_first_newest_among_equals(self):
        post = self.make_post("Centre", hashtags=("Bread", "Oven", "Rye"))
        self.make_post("One shared, older", hashtags=("Bread",), days_ago=5)
        self.make_post("One shared, newer", hashtags=("Rye", "Cake"), days_ago=3)
        self.make_post("Three shared", hashtags=("Bread", "Oven", "Rye"), days_ago=9)
        self.make_post("Two shared", hashtags=("Oven", "Bread"), days_ago=7)
        self.make_post("Nothing shared", hashtags=("Cake",), days_ago=2)
        page = self.client.get(post.get_absolute_url()).content.decode()
        self.assertEqual(
            related_titles(page), ["Three shared", "Two shared", "One shared, newer"]
        )

    def test_a_comment_re_renders_the_page_without_counting_again(self):
        # The count grows with the blog; which posts are related changes only
        # with LISTINGS, which a comment does not touch.
        post = self.make_post("Centre", hashtags=("Bread",))
        self.make_post("Rye", hashtags=("Bread",), days_ago=4)

        def counts_related() -> bool:
            with CaptureQueriesContext(connection) as queries:
                page = self.client.get(post.get_absolute_url())
            self.assertEqual(related_titles(page.content.decode()), ["Rye"])
            self.assertEqual(page["X-Gazette-Cache"], "miss")
            counting = 'COUNT("posts_post_hashtags"."hashtag_id")'
            return any(counting in query["sql"] for query in queries)

        self.assertTrue(counts_related())
        add_comment(post, "Sam", "Good crust.")
        self.assertFalse(counts_related())

    def test_only_visible_posts_are_related_and_never_the_post_itself(self):
        post = self.make_post("Centre", hashtags=("Bread",))
        self.make_post("Draft", hashtags=("Bread",), status="draft")
        self.make_post(
            "Scheduled", hashtags=("Bread",), days_ago=-2, status="scheduled"
        )
        trashed = self.make_post("Trashed", hashtags=("Bread",), days_ago=2)
        trashed.trashed_at = timezone.now()
        with committed():
            write_entry(trashed)
        page = self.client.get(post.get_absolute_url()).content.decode()
        self.assertEqual(related_titles(page), [])
        self.assertNotIn("related-posts", page)
        self.make_post("Visible", hashtags=("Bread",), days_ago=3)
        page = self.client.get(post.get_absolute_url()).content.decode()
        self.assertEqual(related_titles(page), ["Visible"])

    def test_the_cached_page_follows_a_related_posts_new_title_and_hashtags(self):
        # Far apart in time, with posts between: the related post is not a
        # neighbour, so only its place among the related posts links it here.
        post = self.make_post("Centre", hashtags=("Bread",), days_ago=1)
        for n in range(2):
            self.make_post(f"Between {n}", days_ago=2 + n)
        related = self.make_post("Old title", hashtags=("Bread",), days_ago=10)
        url = post.get_absolute_url()
        self.assertEqual(
            related_titles(self.client.get(url).content.decode()), ["Old title"]
        )
        self.assertEqual(self.client.get(url)["X-Gazette-Cache"], "hit")
        related.title = "New title"
        with committed():
            write_entry(related)
        page = self.client.get(url)
        self.assertEqual(page["X-Gazette-Cache"], "miss")
        self.assertEqual(related_titles(page.content.decode()), ["New title"])
        # Retagged away, it is no longer related.
        with committed():
            write_entry(related, ["Cake"])
        self.assertEqual(related_titles(self.client.get(url).content.decode()), [])
