import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html import unescape

from django.utils import timezone

from gazette.posts.models import Page, Post
from gazette.posts.writing import write_entry
from gazette.test import BaseTestCase

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def meta(html: str, key: str) -> list[str]:
    """The content of every <meta property|name="key">, unescaped."""
    pattern = rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">'
    return [unescape(value) for value in re.findall(pattern, html)]


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL
    )
    return [json.loads(block) for block in blocks]


class SitemapTest(BaseTestCase):
    def urls(self, path: str) -> dict[str | None, str | None]:
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        root = ET.fromstring(response.content)
        return {
            url.findtext("s:loc", namespaces=SITEMAP_NS): url.findtext(
                "s:lastmod", namespaces=SITEMAP_NS
            )
            for url in root.findall("s:url", SITEMAP_NS)
        }

    def test_the_index_lists_every_section(self):
        self.make_post("Loaf", hashtags=("Baking",))
        write_entry(Page(title="About", slug="about", status=Page.Status.PUBLISHED))
        root = ET.fromstring(self.client.get("/sitemap.xml").content)
        locations = [
            loc.text for loc in root.findall("s:sitemap/s:loc", namespaces=SITEMAP_NS)
        ]
        self.assertEqual(
            locations,
            [
                f"http://testserver/sitemap-{name}.xml"
                for name in ("home", "posts", "pages", "hashtags")
            ],
        )
        for sitemap in root.findall("s:sitemap", SITEMAP_NS):
            self.assertTrue(sitemap.findtext("s:lastmod", namespaces=SITEMAP_NS))

    def test_it_lists_visible_posts_pages_and_hashtags_with_lastmod(self):
        post = self.make_post(
            "Loaf", hashtags=("Baking",), published_at=datetime(2019, 3, 24, tzinfo=UTC)
        )
        self.make_post("Draft", hashtags=("Secret",), status=Post.Status.DRAFT)
        self.make_post("Later", hashtags=("Secret",), days_ago=-2)
        self.make_post("Gone", trashed_at=timezone.now())
        write_entry(Page(title="About", slug="about", status=Page.Status.PUBLISHED))
        write_entry(Page(title="Hidden", slug="hidden", status=Page.Status.DRAFT))

        posts = self.urls("/sitemap-posts.xml")
        self.assertEqual(list(posts), ["http://testserver" + post.get_absolute_url()])
        self.assertEqual(
            posts["http://testserver" + post.get_absolute_url()],
            post.updated_at.date().isoformat(),
        )
        self.assertEqual(
            list(self.urls("/sitemap-pages.xml")), ["http://testserver/p/about/"]
        )
        hashtags = self.urls("/sitemap-hashtags.xml")
        self.assertEqual(list(hashtags), ["http://testserver/hashtag/Baking/"])
        self.assertTrue(hashtags["http://testserver/hashtag/Baking/"])
        self.assertEqual(
            list(self.urls("/sitemap-home.xml")),
            ["http://testserver/", "http://testserver/hashtags/"],
        )

    def test_a_bad_section_or_page_is_a_404(self):
        self.assertEqual(self.client.get("/sitemap-nothing.xml").status_code, 404)
        self.assertEqual(self.client.get("/sitemap-posts.xml?p=9").status_code, 404)
        self.assertEqual(self.client.get("/sitemap-posts.xml?p=x").status_code, 404)

    def test_robots_txt_names_the_sitemap(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        lines = response.content.decode().splitlines()
        self.assertIn("User-agent: *", lines)
        self.assertIn("Disallow: /search/", lines)
        self.assertIn("Sitemap: http://testserver/sitemap.xml", lines)


class PreviewTagsTest(BaseTestCase):
    def test_every_page_has_a_canonical_address_and_site_tags(self):
        for n in range(12):
            self.make_post(f"Post {n}", days_ago=n + 1)
        html = self.client.get("/", {"utm_source": "x"}).content.decode()
        self.assertIn('<link rel="canonical" href="http://testserver/">', html)
        self.assertEqual(meta(html, "og:type"), ["website"])
        self.assertEqual(meta(html, "og:url"), ["http://testserver/"])
        self.assertEqual(meta(html, "twitter:card"), ["summary"])
        second = self.client.get("/", {"page": "2"}).content.decode()
        self.assertIn('<link rel="canonical" href="http://testserver/?page=2">', second)
        self.assertEqual(json_ld(html), [])

    def test_a_post_has_its_description_image_and_article_tags(self):
        post = self.make_post(
            'Dawn "on" the ridge',
            hashtags=("Hills",),
            body="The alarm went at half past four.\n\n"
            '![Ridges at dawn](/media/images/hills.jpg "First light")\n\n'
            "![Second](/media/images/second.jpg)",
        )
        html = self.client.get(post.get_absolute_url()).content.decode()
        url = "http://testserver" + post.get_absolute_url()
        self.assertIn(f'<link rel="canonical" href="{url}">', html)
        self.assertEqual(
            meta(html, "description"), ["The alarm went at half past four."]
        )
        self.assertEqual(meta(html, "og:type"), ["article"])
        self.assertEqual(meta(html, "og:title"), ['Dawn "on" the ridge'])
        self.assertEqual(meta(html, "og:url"), [url])
        self.assertEqual(
            meta(html, "og:image"), ["http://testserver/media/images/hills.jpg"]
        )
        self.assertEqual(meta(html, "og:image:alt"), ["Ridges at dawn"])
        self.assertEqual(meta(html, "twitter:card"), ["summary_large_image"])
        self.assertEqual(
            meta(html, "twitter:image"), ["http://testserver/media/images/hills.jpg"]
        )
        self.assertEqual(meta(html, "article:tag"), ["Hills"])

    def test_a_post_without_pictures_has_a_small_card_with_the_blogs_picture(self):
        post = self.make_post("Words only")
        html = self.client.get(post.get_absolute_url()).content.decode()
        self.assertEqual(meta(html, "twitter:card"), ["summary"])
        card = "http://testserver/static/gazette/preview.png"
        self.assertEqual(meta(html, "og:image"), [card])
        self.assertEqual(json_ld(html)[0]["image"], [card])


class JsonLdTest(BaseTestCase):
    def test_a_post_is_a_blog_posting(self):
        post = self.make_post(
            "Dawn walk",
            hashtags=("Hills",),
            body="Up early.\n\n![Ridges](/media/images/hills.jpg)",
            published_at=datetime(2019, 3, 24, 6, 30, tzinfo=UTC),
        )
        html = self.client.get(post.get_absolute_url()).content.decode()
        [data] = json_ld(html)
        self.assertEqual(data["@context"], "https://schema.org")
        self.assertEqual(data["@type"], "BlogPosting")
        self.assertEqual(data["headline"], "Dawn walk")
        self.assertEqual(data["image"], ["http://testserver/media/images/hills.jpg"])
        self.assertEqual(data["datePublished"], "2019-03-24T06:30:00+00:00")
        modified = datetime.fromisoformat(data["dateModified"])
        self.assertLess(abs(modified - post.updated_at), timedelta(seconds=1))
        self.assertEqual(
            data["author"],
            {
                "@type": "Person",
                "name": "Alice Ames",
                "url": "http://testserver/",
            },
        )
        self.assertEqual(
            data["mainEntityOfPage"]["@id"],
            "http://testserver" + post.get_absolute_url(),
        )
        self.assertEqual(data["keywords"], ["Hills"])

    def test_hostile_text_cannot_leave_the_data_block(self):
        post = self.make_post(
            "</script><script>alert(1)</script> & <!--",
            body="Text </script><script>alert(2)</script>",
        )
        html = self.client.get(post.get_absolute_url()).content.decode()
        [data] = json_ld(html)
        self.assertEqual(data["headline"], "</script><script>alert(1)</script> & <!--")
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html)
        assert block is not None
        self.assertNotIn("<", block.group(1))
        self.assertNotIn("&", block.group(1))
        self.assertNotIn("<script>alert", html)

    def test_headlines_are_cut_to_110_characters(self):
        post = self.make_post("Long " * 40)
        html = self.client.get(post.get_absolute_url()).content.decode()
        self.assertLessEqual(len(json_ld(html)[0]["headline"]), 110)


class HashtagIndexTest(BaseTestCase):
    def test_it_lists_every_hashtag_with_counts_and_the_recent_favourites(self):
        self.make_post("Old loaf", hashtags=("Baking",), days_ago=90)
        self.make_post("Old walk", hashtags=("Walking",), days_ago=80)
        self.make_post("New loaf", hashtags=("Baking", "bread"), days_ago=3)
        self.make_post("New walk", hashtags=("Walking",), days_ago=2)
        self.make_post("Another walk", hashtags=("Walking",), days_ago=1)
        self.make_post("Draft", hashtags=("Secret", "Walking"), status="draft")
        response = self.client.get("/hashtags/")
        html = response.content.decode()
        everything = html[html.index("all-hashtags-heading") :]
        self.assertEqual(
            re.findall(r">#(\w+)</a> <span class=\"count\">\((\d+) post", everything),
            [("Baking", "2"), ("bread", "1"), ("Walking", "3")],
        )
        recent = html[
            html.index("recent-hashtags-heading") : html.index("all-hashtags")
        ]
        self.assertEqual(
            re.findall(r">#(\w+)</a> <span class=\"count\">\((\d+)\)", recent),
            [("Walking", "2"), ("Baking", "1"), ("bread", "1")],
        )
        self.assertNotContains(response, "Secret")

    def test_a_new_blog_has_an_empty_index(self):
        self.assertContains(self.client.get("/hashtags/"), "No hashtags yet.")

    def test_hashtag_pages_link_to_it(self):
        self.make_post("Loaf", hashtags=("Baking",))
        self.assertContains(self.client.get("/hashtag/Baking/"), 'href="/hashtags/"')
