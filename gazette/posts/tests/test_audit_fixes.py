"""What readers' own software checks on the reading side: valid time elements,
excerpts that keep list items apart, link previews with a picture and a locale,
a favicon, long-lived caching of uploads, and the stylesheet's dark and print
schemes."""

import re
import tempfile
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse

from gazette.lib.text import excerpt_from_html
from gazette.posts.tests.test_seo import json_ld, meta
from gazette.posts.writing import write_entry
from gazette.site.models import SiteSettings
from gazette.test import BaseTestCase, add_comment, committed, without_page_cache

GAZETTE_STATIC = Path(__file__).resolve().parents[2] / "static" / "gazette"

# HTML's "valid global date and time string", to the second at most: the Nu
# checker rejects the microseconds Django's date:'c' writes.
VALID_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(Z|[+-]\d\d:?\d\d)$")

LIST_POST = (
    "Evenings are drawing in.\n\n"
    "- One last long walk on the ridge in daylight\n"
    "- Check the tripod's legs before the cold makes them stiff\n"
    "- Bake something for the walk"
)


def time_values(html: str) -> list[str]:
    return re.findall(r'<time datetime="([^"]*)"', html)


def set_site(**fields) -> None:
    site = SiteSettings.load()
    for name, value in fields.items():
        setattr(site, name, value)
    site.save()


@without_page_cache
class TimeElementTest(BaseTestCase):
    def test_every_reading_page_writes_datetimes_without_microseconds(self):
        when = datetime(2026, 11, 27, 7, 2, 39, 269584, tzinfo=UTC)
        post = self.make_post("Ridge walk", hashtags=("Hills",), published_at=when)
        pages = [
            "/",
            post.get_absolute_url(),
            "/hashtag/Hills/",
            "/2026/",
            "/2026/11/",
            "/search/?q=ridge",
        ]
        for path in pages:
            with self.subTest(path=path):
                html = self.client.get(path).content.decode()
                values = time_values(html)
                self.assertTrue(values, f"no <time> on {path}")
                for value in values:
                    self.assertRegex(value, VALID_DATETIME)
                self.assertIn("2026-11-27T07:02:39+00:00", values)

    def test_the_time_is_in_the_blogs_zone(self):
        set_site(time_zone="Europe/Paris")
        when = datetime(2026, 11, 27, 7, 2, 39, 5, tzinfo=UTC)
        post = self.make_post("Ridge walk", published_at=when)
        html = self.client.get(post.get_absolute_url()).content.decode()
        self.assertEqual(time_values(html), ["2026-11-27T08:02:39+01:00"])
        self.assertEqual(
            meta(html, "article:published_time"), ["2026-11-27T08:02:39+01:00"]
        )

    def test_the_desks_comment_list_too(self):
        post = self.make_post()
        add_comment(post, created_at=datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=UTC))
        self.client.force_login(self.alice)
        html = self.client.get("/desk/comments/?status=approved").content.decode()
        values = time_values(html)
        self.assertTrue(values)
        for value in values:
            self.assertRegex(value, VALID_DATETIME)


class ExcerptTest(BaseTestCase):
    def test_list_items_and_paragraphs_become_sentences(self):
        html = (
            "<p>Evenings.</p>\n<ul>\n<li>One last walk in daylight</li>\n"
            "<li>Check the <em>tripod</em>'s legs</li>\n</ul>\n<h2>Baking</h2>"
            "<p>Line one<br>line two</p><p>Said “yes.”</p><p>Done</p>"
        )
        self.assertEqual(
            excerpt_from_html(html),
            "Evenings. One last walk in daylight. Check the tripod's legs. "
            "Baking. Line one. line two. Said “yes.” Done",
        )

    def test_its_own_punctuation_is_kept_and_nothing_is_added_at_the_end(self):
        self.assertEqual(
            excerpt_from_html(
                "<ol><li>Why?</li><li>Because:</li><li>it rained</li></ol>"
            ),
            "Why? Because: it rained",
        )

    def test_a_cut_after_a_stop_shows_only_the_ellipsis(self):
        html = "<p>one two three</p><p>four five</p>"
        self.assertEqual(excerpt_from_html(html, words=3), "one two three…")
        self.assertEqual(excerpt_from_html(html, words=4), "one two three. four…")

    def test_a_long_post_is_read_only_as_far_as_its_opening(self):
        html = "<p>Opening words here.</p>" + "<p>more</p>" * 100_000
        self.assertEqual(excerpt_from_html(html, words=3), "Opening words here…")

    def test_figures_are_left_out_and_cells_are_words(self):
        html = (
            '<p>Before</p><figure><img src="/a.jpg" alt=""><figcaption>Caption'
            "</figcaption></figure><table><tr><td>3</td><td>loaves</td></tr></table>"
            "<p>Tom &amp; Jerry &lt;3</p>"
        )
        self.assertEqual(excerpt_from_html(html), "Before. 3 loaves. Tom & Jerry <3")

    @without_page_cache
    def test_listings_descriptions_and_feeds_keep_items_apart(self):
        post = self.make_post("Before the clocks change", body=LIST_POST)
        expected = "in daylight. Check the tripod"
        home = unescape(self.client.get("/").content.decode())
        self.assertIn(expected, home)
        page = self.client.get(post.get_absolute_url()).content.decode()
        self.assertIn(expected, meta(page, "description")[0])
        self.assertIn(expected, meta(page, "og:description")[0])
        self.assertIn(expected, json_ld(page)[0]["description"])
        set_site(feed_full_content=False)
        feed = unescape(self.client.get("/feeds/posts.atom").content.decode())
        self.assertIn(expected, feed)


@without_page_cache
class LinkPreviewTest(BaseTestCase):
    def test_a_post_without_a_picture_has_the_blogs_card(self):
        post = self.make_post("Words only")
        html = self.client.get(post.get_absolute_url()).content.decode()
        card = "http://testserver/static/gazette/preview.png"
        self.assertEqual(meta(html, "og:image"), [card])
        self.assertEqual(meta(html, "og:image:width"), ["1200"])
        self.assertEqual(meta(html, "og:image:height"), ["630"])
        self.assertEqual(meta(html, "twitter:image"), [card])
        self.assertEqual(json_ld(html)[0]["image"], [card])

    def test_a_post_with_a_picture_keeps_its_own(self):
        post = self.make_post(body="![Ridge](/media/images/hills.jpg)")
        html = self.client.get(post.get_absolute_url()).content.decode()
        own = "http://testserver/media/images/hills.jpg"
        self.assertEqual(meta(html, "og:image"), [own])
        self.assertEqual(meta(html, "twitter:image"), [own])
        self.assertEqual(json_ld(html)[0]["image"], [own])

    def test_the_publisher_has_a_logo(self):
        post = self.make_post()
        html = self.client.get(post.get_absolute_url()).content.decode()
        self.assertEqual(
            json_ld(html)[0]["publisher"]["logo"],
            {
                "@type": "ImageObject",
                "url": "http://testserver/static/gazette/icon.png",
                "width": 512,
                "height": 512,
            },
        )

    def test_og_locale_follows_the_blogs_language(self):
        post = self.make_post()
        for language, locale in (("en-gb", "en_GB"), ("de", "de_DE"), ("en", "en_US")):
            with self.subTest(language=language):
                set_site(language=language)
                for path in ("/", post.get_absolute_url()):
                    html = self.client.get(path).content.decode()
                    self.assertEqual(meta(html, "og:locale"), [locale])

    def test_the_home_page_is_previewed_with_the_card(self):
        html = self.client.get("/").content.decode()
        self.assertEqual(
            meta(html, "og:image"), ["http://testserver/static/gazette/preview.png"]
        )

    def test_the_pictures_exist_at_the_sizes_announced(self):
        from PIL import Image

        with Image.open(GAZETTE_STATIC / "preview.png") as card:
            self.assertEqual(card.size, (1200, 630))
        with Image.open(GAZETTE_STATIC / "icon.png") as icon:
            self.assertEqual(icon.size, (512, 512))
        with Image.open(GAZETTE_STATIC / "favicon.ico") as favicon:
            self.assertEqual(favicon.info["sizes"], {(16, 16), (32, 32), (48, 48)})


class FaviconTest(BaseTestCase):
    def test_favicon_ico_is_served_and_kept(self):
        response = self.client.get("/favicon.ico")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/x-icon")
        body = response.getvalue()
        self.assertEqual(body, (GAZETTE_STATIC / "favicon.ico").read_bytes())
        self.assertIn("max-age=604800", response["Cache-Control"])
        self.assertIn("public", response["Cache-Control"])

    def test_pages_link_to_it(self):
        html = self.client.get("/").content.decode()
        self.assertIn('<link rel="icon" href="/static/gazette/favicon.ico"', html)
        self.assertIn(
            '<link rel="apple-touch-icon" href="/static/gazette/icon.png">', html
        )


class MediaCachingTest(BaseTestCase):
    def test_uploads_are_kept_for_a_year(self):
        with tempfile.TemporaryDirectory() as root:
            (Path(root) / "images").mkdir()
            (Path(root) / "images" / "hills.jpg").write_bytes(b"not really a jpeg")
            with override_settings(MEDIA_ROOT=root):
                response = self.client.get("/media/images/hills.jpg")
                missing = self.client.get("/media/images/none.jpg")
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.getvalue(), b"not really a jpeg")
        self.assertEqual(
            sorted(response["Cache-Control"].split(", ")),
            ["immutable", "max-age=31536000", "public"],
        )
        self.assertEqual(missing.status_code, 404)
        self.assertNotIn("immutable", missing.get("Cache-Control", ""))

    @without_page_cache
    def test_uploaded_pictures_in_posts_have_their_size(self):
        from gazette.images.models import Image

        Image.objects.create(file="images/2026/11/hills.jpg", width=1600, height=900)
        post = self.make_post(body="![Ridge](/media/images/2026/11/hills.jpg)")
        html = self.client.get(post.get_absolute_url()).content.decode()
        self.assertRegex(
            html,
            r'<img src="/media/images/2026/11/hills.jpg"[^>]* width="1600" height="900"',
        )


class HeldCommentTest(BaseTestCase):
    def thread_html(self, status: str) -> str:
        post = self.make_post()
        comment = add_comment(post, body="Waiting.", status=status)
        context = {
            "thread": {"comment": comment, "replies": []},
            "post": post,
            "comments_open": True,
        }
        return render_to_string("comments/_thread.html", context)

    def test_a_held_comment_has_no_reply_link(self):
        html = self.thread_html("held")
        self.assertIn("Awaiting moderation", html)
        self.assertNotIn("?replyto=", html)

    def test_an_approved_comment_has_one(self):
        self.assertIn("?replyto=", self.thread_html("approved"))


class SignInPageTest(BaseTestCase):
    def test_it_shows_the_blogs_language_title_and_name(self):
        set_site(title="Ridge Notes", language="en-gb")
        for path in ("/desk/sign-in/", "/desk/password-reset/"):
            with self.subTest(path=path):
                html = self.client.get(path).content.decode()
                self.assertIn('<html lang="en-GB">', html)
                self.assertRegex(html, r"<title>[^<]+ · Ridge Notes</title>")
                self.assertIn('<a href="/">Ridge Notes</a>', html)


def contrast(one: str, two: str) -> float:
    """WCAG's contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in channels
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def media_block(css: str, query: str) -> str:
    """The text of the first `@media (query)` block in `css`."""
    start = css.index("{", css.index(f"@media {query}")) + 1
    depth, end = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(css[end], 0)
        end += 1
    return css[start : end - 1]


class StylesheetTest(BaseTestCase):
    css = (GAZETTE_STATIC / "gazette.css").read_text()

    magazine = (GAZETTE_STATIC / "themes" / "magazine.css").read_text()

    def palette(self, side: str) -> dict[str, str]:
        """One side ("light" or "dark") of the palette's light-dark() pairs."""
        pairs = re.findall(
            r"--([a-z-]+):\s*light-dark\((#[0-9a-f]{6}),\s*(#[0-9a-f]{6})\)",
            self.root(),
        )
        column = {"light": 1, "dark": 2}[side]
        return {pair[0]: pair[column] for pair in pairs}

    def root(self) -> str:
        return self.css[self.css.index(":root {") : self.css.index("}")]

    def test_the_dark_scheme_keeps_aa_contrast(self):
        text_on_background = [
            ("ink", "paper"),
            ("muted", "paper"),
            ("accent", "paper"),
            ("accent", "accent-soft"),  # hashtag chips
            ("ink", "accent-soft"),  # quotations
            ("ink", "code-bg"),
            ("ink", "field-bg"),  # the search box and comment form
            ("on-accent", "accent"),  # buttons
            ("ink", "mark-bg"),  # search matches
            ("paper", "ink"),  # the skip link
            # The magazine theme's cards.
            ("ink", "card-bg"),
            ("muted", "card-bg"),
            ("accent", "card-bg"),
        ]
        dark = self.palette("dark")
        for text, background in text_on_background:
            with self.subTest(text=text, background=background):
                ratio = contrast(dark[text], dark[background])
                self.assertGreaterEqual(ratio, 4.5, f"{text} on {background}")

    def test_every_palette_colour_has_a_dark_side(self):
        # A colour written plainly would stay light in the dark scheme.
        declared = re.findall(
            r"--([a-z-]+):\s*[^;]*(?:#[0-9a-f]{3,6}|light-dark)", self.root()
        )
        self.assertIn("accent", declared)
        self.assertEqual(sorted(self.palette("dark")), sorted(declared))

    def test_each_scheme_sets_its_color_scheme_and_the_desk_stays_light(self):
        rules = dict(
            re.findall(r"\n(body[^{,]*) \{ color-scheme: ([a-z ]+); \}", self.css)
        )
        self.assertEqual(
            rules,
            {
                "body:not(.desk)": "light dark",  # "auto": the reader's system
                "body.scheme-light:not(.desk)": "light",
                "body.scheme-dark:not(.desk)": "dark",
            },
        )
        # No other way into the dark side: no media query for it, no other
        # color-scheme anywhere in the stylesheet.
        self.assertNotIn("prefers-color-scheme", self.css)
        self.assertEqual(self.css.count("color-scheme:"), 3)

    def test_the_light_scheme_keeps_aa_contrast_too(self):
        light = self.palette("light")
        for text, background in (
            ("ink", "paper"),
            ("muted", "paper"),
            ("accent", "paper"),
            ("accent", "accent-soft"),
            ("on-accent", "accent"),
            ("ink", "card-bg"),  # the magazine theme's cards
            ("muted", "card-bg"),
            ("accent", "card-bg"),
        ):
            with self.subTest(text=text, background=background):
                self.assertGreaterEqual(contrast(light[text], light[background]), 4.5)

    def test_the_magazine_theme_takes_its_colours_from_the_palettes(self):
        # Literal colours in a theme would escape the contrast checks above and
        # stay light in the dark scheme; the theme uses the palette's variables.
        self.assertIn("var(--card-bg)", self.magazine)
        self.assertEqual(re.findall(r"#[0-9a-fA-F]{3,6}\b|rgb|hsl", self.magazine), [])

    def test_print_hides_what_only_works_on_screen(self):
        block = media_block(self.css, "print")
        hidden = re.search(r"([^{}]+)\{[^}]*display:\s*none", block)
        assert hidden is not None
        selectors = {s.strip() for s in hidden.group(1).split(",")}
        for selector in (
            ".skip-link",
            ".search-box",
            ".sidebar",
            ".comment-form",
            "nav",
        ):
            self.assertIn(selector, selectors)

    def test_motion_is_reduced_on_request(self):
        block = media_block(self.css, "(prefers-reduced-motion: reduce)")
        self.assertIn("transition-duration", block)
        self.assertIn("animation-duration", block)

    def test_the_search_box_uses_the_interface_font(self):
        # The interface font is --font-heading: the system's sans-serif unless
        # a theme or the settings choose another.
        rule = re.search(r"([^{}]+)\{\s*font-family:\s*var\(--font-heading\)", self.css)
        assert rule is not None
        self.assertIn(".search-box", {s.strip() for s in rule.group(1).split(",")})
        default = re.search(r"--font-heading:\s*([^;]+);", self.css)
        assert default is not None
        self.assertTrue(default.group(1).startswith("system-ui"))


class PostNavigationTest(BaseTestCase):
    """Under a post, as on Blogger: Newer Post, Home, Older Post, and a link to
    subscribe to the post's comments; the links follow publishing and titles."""

    def test_newer_home_older_and_subscribe_links(self):
        oldest = self.make_post("Oldest walk", days_ago=3)
        middle = self.make_post("Middle walk", days_ago=2)
        newest = self.make_post("Newest walk", days_ago=1)
        page = self.client.get(middle.get_absolute_url())
        self.assertContains(page, f'rel="prev" href="{newest.get_absolute_url()}"')
        self.assertContains(page, f'rel="next" href="{oldest.get_absolute_url()}"')
        self.assertContains(page, ">Home</a>")
        feed = reverse("feeds:post_comments_atom", args=[middle.pk])
        self.assertContains(page, f'href="{feed}"')
        self.assertContains(page, "Post Comments (Atom)")
        first = self.client.get(oldest.get_absolute_url())
        self.assertNotContains(first, 'rel="next"')
        self.assertContains(first, 'rel="prev"')

    def test_the_links_follow_a_new_post_and_a_new_title(self):
        older = self.make_post("Older walk", days_ago=2)
        newer = self.make_post("Newer walk", days_ago=1)
        url = newer.get_absolute_url()
        self.assertNotContains(self.client.get(url), 'rel="prev"')
        self.client.get(url)  # kept in the page cache
        newest = self.make_post("Newest walk", days_ago=0.5)
        self.assertContains(
            self.client.get(url), f'rel="prev" href="{newest.get_absolute_url()}"'
        )
        older.title = "Older walk, renamed"
        with committed():
            write_entry(older)
        self.assertContains(
            self.client.get(url),
            'Older Post<span class="visually-hidden">: Older walk, renamed',
        )


class ListingPictureTest(BaseTestCase):
    """Listings show a post's first picture with its excerpt, as a reader
    expects from Blogger's whole posts or Ghost's image cards."""

    def test_a_post_with_a_picture_shows_it_in_listings(self):
        self.make_post(
            "Hills at dawn",
            body='![Hills at dawn](/media/hills.jpg "First light")\n\nWe climbed early.',
            hashtags=("Walks",),
        )
        self.make_post("Words only", body="No picture today.", hashtags=("Walks",))
        for url in ("/", "/hashtag/Walks/"):
            page = self.client.get(url).content.decode()
            pictures = re.findall(r'<a class="summary-picture"[^>]*>(<img[^>]*>)', page)
            self.assertEqual(len(pictures), 1, url)
            self.assertIn('src="/media/hills.jpg"', pictures[0])
            self.assertIn('alt=""', pictures[0])  # the title link names it
            self.assertIn('loading="lazy"', pictures[0])
