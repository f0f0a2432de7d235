"""Every page readers see costs a small, fixed number of queries, whatever the
size of the blog: rendered once on a small blog and once on a blog several
times larger, each page must ask the database the same number of times, and
no more than its budget.

Pages are rendered cold: the page cache is off and the cache is emptied before
each request, so the sidebar and the site settings are read afresh too.
"""

from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gazette.posts.models import Page, Post
from gazette.posts.writing import write_entry
from gazette.site.models import SiteSettings
from gazette.site.writing import write_site_settings
from gazette.test import BaseTestCase, add_comment, committed, without_page_cache

# The budget of each page, in queries, rendered cold. Each figure is what the
# page needs today; a change that adds a query per page must raise it here, on
# purpose, and one that adds a query per post, hashtag or comment fails anyway.
BUDGETS = {
    "home": 9,
    # newer, older and related posts: their ids, then all titles; likes and reposts
    "post": 14,
    "hashtag": 10,
    "year": 9,
    "month": 9,
    "search": 11,
    "posts_atom": 4,
    "posts_rss": 4,
    "hashtag_atom": 6,
    "sitemap_index": 8,
    "sitemap_posts": 3,
    "sitemap_hashtags": 3,
    "page": 6,
    "hashtags": 7,
}

PICTURE = '![Hills at dawn](/media/h.jpg "First light")'


def queries_of(client, url: str) -> list[str]:
    """The SQL a cold render of `url` runs."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [query["sql"] for query in captured.captured_queries]


@without_page_cache
class QueryCountTest(BaseTestCase):
    """The blog grows from a few posts to several times as many, with more
    hashtags, pages, comments and replies; the pages' costs stay put."""

    def setUp(self):
        super().setUp()
        self.started = datetime(2024, 1, 10, 12, tzinfo=UTC)
        self.made = 0
        # The post whose page is measured: hashtags, a picture, a thread.
        self.post = self._post(hashtags=("Walking", "Hills"), body=PICTURE)
        self._comments(self.post, threads=1)
        self.urls = {
            "home": "/",
            "post": self.post.get_absolute_url(),
            "hashtag": "/hashtag/Walking/",
            "year": "/2024/",
            "month": "/2024/01/",
            "search": "/search/?q=words",
            "posts_atom": "/feeds/posts.atom",
            "posts_rss": "/feeds/posts.rss",
            "hashtag_atom": "/feeds/hashtag/Walking.atom",
            "sitemap_index": "/sitemap.xml",
            "sitemap_posts": "/sitemap-posts.xml",
            "sitemap_hashtags": "/sitemap-hashtags.xml",
            "page": "/p/about/",
            "hashtags": "/hashtags/",
        }
        write_entry(
            Page(
                title="About",
                slug="about",
                body="About this blog.",
                status=Page.Status.PUBLISHED,
                published_at=timezone.now() - timedelta(days=3),
            )
        )
        self._grow(posts=3, hashtags=2, comments=1)

    def _post(self, hashtags=(), body="Some words.") -> Post:
        """A post a day after the one before, from January 2024 into the spring."""
        self.made += 1
        when = self.started + timedelta(days=self.made * 3)
        return self.make_post(
            f"Post {self.made}",
            body=f"{body}\n\nSome words, number {self.made}.",
            hashtags=hashtags,
            published_at=when,
        )

    def _comments(self, post: Post, threads: int) -> None:
        """`threads` comments, each with a reply and a reply to the reply."""
        for n in range(threads):
            top = add_comment(post, f"Reader {n}", f"Comment {n}")
            reply = add_comment(post, "Alice", f"Reply {n}", parent=top)
            add_comment(post, f"Reader {n}", f"Thanks {n}", parent=reply)

    def _grow(self, posts: int, hashtags: int, comments: int) -> None:
        """`posts` more posts, each with the shared hashtags and `hashtags` of
        its own, and `comments` threads; the measured post gets as much."""
        for _ in range(posts):
            own = [f"Tag{self.made}x{n}" for n in range(hashtags)]
            post = self._post(hashtags=("Walking", *own))
            self._comments(post, comments)
        self._comments(self.post, comments)
        names = [h.name for h in self.post.hashtags.all()]
        more = [f"Extra{len(names)}x{n}" for n in range(hashtags)]
        with committed():
            write_entry(self.post, names + more, keep_revision=False)
        with committed():
            for n in range(hashtags):
                write_entry(
                    Page(
                        title=f"Page {n} of {self.made}",
                        slug=f"page-{self.made}-{n}",
                        status=Page.Status.PUBLISHED,
                        published_at=timezone.now() - timedelta(days=1),
                    )
                )

    def _assert_fixed(self, name: str) -> None:
        url = self.urls[name]
        small = queries_of(self.client, url)
        self._grow(posts=12, hashtags=4, comments=3)
        large = queries_of(self.client, url)
        listing = "\n".join(large)
        self.assertEqual(
            len(large),
            len(small),
            f"{url}: {len(small)} queries on a small blog, {len(large)} on a "
            f"larger one:\n{listing}",
        )
        self.assertLessEqual(
            len(large),
            BUDGETS[name],
            f"{url} runs more queries than its budget:\n{listing}",
        )

    def test_it_keeps_the_home_page_fixed(self):
        self._assert_fixed("home")

    def test_it_keeps_the_post_page_fixed(self):
        self._assert_fixed("post")

    def test_it_keeps_a_hashtag_page_fixed(self):
        self._assert_fixed("hashtag")

    def test_it_keeps_the_year_archive_fixed(self):
        self._assert_fixed("year")

    def test_it_keeps_the_month_archive_fixed(self):
        self._assert_fixed("month")

    def test_it_keeps_the_search_page_fixed(self):
        self._assert_fixed("search")

    def test_it_keeps_the_atom_feed_fixed(self):
        self._assert_fixed("posts_atom")

    def test_it_keeps_the_rss_feed_fixed(self):
        self._assert_fixed("posts_rss")

    def test_it_keeps_a_hashtag_feed_fixed(self):
        self._assert_fixed("hashtag_atom")

    def test_it_keeps_the_sitemaps_fixed(self):
        for name in ("sitemap_index", "sitemap_posts", "sitemap_hashtags"):
            with self.subTest(name):
                self._assert_fixed(name)

    def test_it_keeps_a_standalone_page_fixed(self):
        self._assert_fixed("page")

    def test_it_keeps_the_hashtag_index_fixed(self):
        self._assert_fixed("hashtags")


@without_page_cache
class SharedFragmentTest(BaseTestCase):
    """The sidebar and each post's summary in a listing are kept in the cache
    under the versions of what they show, even with the page cache off."""

    def home_queries(self) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.html = response.content.decode()
        return [query["sql"] for query in captured.captured_queries]

    def test_a_second_render_reuses_the_sidebar_and_the_summaries(self):
        self.make_post("One", hashtags=("Bread",))
        self.make_post("Two", hashtags=("Oven",), days_ago=2)
        first = self.home_queries()
        again = self.home_queries()
        self.assertIn("#Oven", self.html)
        # The pages list, the hashtag counts and the posts' hashtags are read
        # only to render the fragments.
        self.assertTrue(any("posts_page" in sql for sql in first))
        self.assertFalse(any("posts_page" in sql for sql in again), again)
        self.assertFalse(any("posts_hashtag" in sql for sql in again), again)
        self.assertLess(len(again), len(first))

    def test_publishing_in_a_new_month_with_a_new_hashtag_rebuilds_the_sidebar(self):
        self.make_post("Winter", hashtags=("Bread",), published_at=_at(2024, 1, 5))
        self.home_queries()
        self.assertIn("January 2024", self.html)
        self.assertNotIn("March 2024", self.html)
        self.make_post("Spring", hashtags=("Oven",), published_at=_at(2024, 3, 5))
        self.home_queries()
        self.assertIn("March 2024", self.html)
        self.assertIn('#Oven</a> <span class="count">(1)</span>', self.html)

    def test_a_new_page_and_a_trashed_post_rebuild_the_sidebar(self):
        post = self.make_post("Gone soon", hashtags=("Fleeting",))
        self.home_queries()
        self.assertIn("#Fleeting", self.html)
        with committed():
            write_entry(
                Page(
                    title="About me",
                    slug="about",
                    status=Page.Status.PUBLISHED,
                    published_at=timezone.now() - timedelta(hours=1),
                )
            )
            post.trashed_at = timezone.now()
            write_entry(post)
        self.home_queries()
        self.assertIn("About me", self.html)
        self.assertNotIn("#Fleeting", self.html)

    def test_a_new_comment_and_a_new_title_show_in_the_summary(self):
        post = self.make_post("First title")
        self.home_queries()
        self.assertIn("No comments", self.html)
        add_comment(post)
        self.home_queries()
        self.assertIn("1 comment<", self.html)
        post.title = "Second title"
        with committed():
            write_entry(post)
        self.home_queries()
        self.assertIn("Second title", self.html)
        self.assertNotIn("First title", self.html)

    def test_a_summary_follows_the_blogs_time_zone(self):
        self.make_post("Late", published_at=_at(2024, 1, 5, hour=23))
        self.home_queries()
        self.assertIn("11:00 PM", self.html)
        site = SiteSettings.load()
        site.time_zone = "Europe/Paris"
        with committed():
            write_site_settings(site)
        self.home_queries()
        self.assertIn("12:00 AM", self.html)


def _at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)
