"""The blog's look beyond the theme, set in the desk's Settings: fonts, the
author's CSS, whole posts or excerpts in listings, and the logo, header
picture and icon; and the blog's own templates from GAZETTE_THEME_DIR."""

import hashlib
import io
import json
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from PIL import Image as PILImage

from gazette.images.models import Image
from gazette.images.tasks import make_image_renditions
from gazette.site import look, roles
from gazette.site.look import FONT_STACKS, stylesheet, stylesheet_version
from gazette.site.models import Font, SiteSettings
from gazette.site.tests.test_themes import settings_form
from gazette.test import BaseTestCase, committed, settings_seen_by_gazette


def picture(name: str, width: int, height: int, colour=(40, 90, 140)):
    data = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(data, format="PNG")
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/png")


def theme_css() -> str:
    return Client().get("/theme.css").content.decode()


class LookTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.dave.groups.add(Group.objects.get(name=roles.ADMINS))
        self.client.force_login(self.dave)
        self.reader = Client()

    def save_settings(self, **fields):
        response = self.client.post("/desk/settings/", settings_form(**fields))
        self.assertRedirects(response, "/desk/settings/")
        return SiteSettings.load()


class FontsAndCssTest(LookTestCase):
    def test_the_theme_keeps_its_fonts_until_others_are_chosen(self):
        self.assertNotIn("--font-body", theme_css())
        self.save_settings(body_font=Font.HUMANIST, heading_font=Font.OLD_STYLE)
        css = theme_css()
        rule = re.search(r"body:not\(\.desk\) \{([^}]*)\}", css)
        assert rule is not None, css
        self.assertIn(f"--font-body: {FONT_STACKS[Font.HUMANIST]};", rule.group(1))
        self.assertIn(f"--font-heading: {FONT_STACKS[Font.OLD_STYLE]};", rule.group(1))

    def test_every_font_is_a_system_stack_ending_in_a_generic_family(self):
        self.assertEqual(set(FONT_STACKS), {f for f in Font if f != Font.THEME})
        for stack in FONT_STACKS.values():
            generic = stack.rsplit(",", 1)[-1].strip()
            self.assertIn(generic, {"serif", "sans-serif", "monospace"})
            self.assertNotIn("url(", stack)

    def test_the_authors_css_comes_after_the_settings_and_changes_the_address(self):
        before = stylesheet_version(SiteSettings.load())
        site = self.save_settings(custom_css=".post-title { letter-spacing: 0.02em; }")
        css = theme_css()
        self.assertIn(".post-title { letter-spacing: 0.02em; }", css)
        self.assertLess(css.index("--accent"), css.index(".post-title"))
        after = stylesheet_version(site)
        self.assertNotEqual(before, after)
        self.assertIn(f"/theme.css?v={after}", self.reader.get("/").content.decode())

    def test_the_form_keeps_what_was_typed_when_it_refuses(self):
        css = "body { color: #222; }"
        response = self.client.post(
            "/desk/settings/",
            settings_form(
                custom_css=css, accent_color="#f0f0f0", body_font="monospace"
            ),
        )
        self.assertEqual(response.status_code, 400)
        page = response.content.decode()
        self.assertIn("Nothing was saved", page)
        self.assertIn(css, page)
        self.assertRegex(page, r'<option value="monospace" selected>')
        self.assertEqual(SiteSettings.load().custom_css, "")


class StylesheetVersionTest(BaseTestCase):
    def test_a_change_of_any_look_setting_changes_the_version(self):
        # One setting at a time, on the same object: a version remembered for
        # the object, or keyed by fewer settings than the sheet is made from,
        # would keep the old address for a new look.
        site = SiteSettings.load()
        changes = {
            "accent_color": "#8a1c2b",
            "body_font": Font.HUMANIST,
            "heading_font": Font.MONOSPACE,
            "custom_css": "p { margin: 0; }",
        }
        self.assertEqual(set(changes), set(look.Look._fields))
        seen = {stylesheet_version(site)}
        for name, value in changes.items():
            with self.subTest(setting=name):
                setattr(site, name, value)
                version = stylesheet_version(site)
                self.assertNotIn(version, seen)
                sheet = stylesheet(site).encode()
                self.assertEqual(version, hashlib.sha256(sheet).hexdigest()[:12])
                seen.add(version)

    def test_an_unchanged_look_is_not_made_again(self):
        stylesheet_version(SiteSettings.load())
        before = look._version.cache_info()
        # Another object with the same settings, as each request loads its own.
        stylesheet_version(SiteSettings.load())
        after = look._version.cache_info()
        self.assertEqual((after.hits, after.misses), (before.hits + 1, before.misses))


class ListingStyleTest(LookTestCase):
    def test_listings_show_excerpts_or_whole_posts(self):
        body = (
            "First paragraph of the walk.\n\n## Coming down\n\nThe second part, below."
        )
        self.make_post(
            "Ridge walk", body=body, excerpt="A short teaser.", hashtags=("Hills",)
        )
        for path in ("/", "/hashtag/Hills/"):
            page = self.reader.get(path).content.decode()
            self.assertIn("A short teaser.", page)
            self.assertNotIn("The second part, below.", page)

        self.save_settings(listing_style="whole")
        for path in ("/", "/hashtag/Hills/"):
            page = self.reader.get(path).content.decode()
            self.assertIn("Coming down</h3>", page, path)
            self.assertIn("The second part, below.", page)
            self.assertNotIn("A short teaser.", page)

    def test_a_form_without_the_setting_keeps_it(self):
        self.save_settings(listing_style="whole")
        data = settings_form()
        data.pop("listing_style", None)
        self.client.post("/desk/settings/", data)
        self.assertEqual(SiteSettings.load().listing_style, "whole")


class PicturesTest(LookTestCase):
    def upload(self, **files):
        response = self.client.post("/desk/settings/", settings_form(**files))
        self.assertRedirects(response, "/desk/settings/")
        return SiteSettings.load()

    def test_logo_and_header_picture_appear_with_their_sizes(self):
        site = self.upload(
            logo_file=picture("mark.png", 120, 60),
            header_image_file=picture("hills.png", 1600, 400),
        )
        assert site.logo is not None and site.header_image is not None
        # Kept in the library like any upload, checked and renamed.
        self.assertEqual(Image.objects.count(), 2)
        home = self.reader.get("/").content.decode()
        logo = re.search(
            r'<img class="site-logo" src="([^"]+)" width="120" height="60" alt="">',
            home,
        )
        assert logo is not None, home
        self.assertEqual(logo.group(1), site.logo.file.url)
        self.assertIn('width="1600" height="400"', home)
        self.assertIn(site.header_image.file.url, home)
        # The header picture is every page's link-preview picture without one of its own.
        self.assertIn(
            f'<meta property="og:image" content="http://testserver{site.header_image.file.url}">',
            home,
        )

    def test_a_picture_redrawn_or_removed_in_the_library_shows_at_once(self):
        site = self.upload(header_image_file=picture("hills.png", 1600, 400))
        assert site.header_image is not None
        header = site.header_image
        made = header.renditions
        self.assertTrue(made)  # the immediate task backend made them already
        # The renditions made again (a new size, say): the cached settings
        # and every page follow, not minutes later.
        Image.objects.filter(pk=header.pk).update(renditions=[])
        cache.delete(SiteSettings.CACHE_KEY)
        cached = SiteSettings.load().header_image  # cached now, without renditions
        self.assertEqual(cached.renditions if cached else None, [])
        with committed():
            make_image_renditions.call(header.pk, str(header.file.name))
        loaded = SiteSettings.load().header_image
        assert loaded is not None
        self.assertEqual(len(loaded.renditions), len(made))
        # Removed in the admin: gone from the pages at once.
        self.assertIn(header.file.url, self.reader.get("/").content.decode())
        with committed():
            Image.objects.filter(pk=header.pk).delete()
        self.assertIsNone(SiteSettings.load().header_image)
        self.assertNotIn(header.file.url, self.reader.get("/").content.decode())

    def test_the_logo_is_the_publishers_in_structured_data(self):
        post = self.make_post("Ridge walk")
        site = self.upload(logo_file=picture("mark.png", 200, 100))
        assert site.logo is not None
        page = self.reader.get(post.get_absolute_url()).content.decode()
        data = json.loads(
            re.search(
                r'<script type="application/ld\+json">(.*?)</script>', page, re.S
            ).group(1)  # type: ignore[union-attr]
        )
        self.assertEqual(
            data["publisher"]["logo"],
            {
                "@type": "ImageObject",
                "url": f"http://testserver{site.logo.file.url}",
                "width": 200,
                "height": 100,
            },
        )

    def test_the_icon_becomes_the_favicon_and_the_home_screen_icon(self):
        packaged = self.reader.get("/favicon.ico")
        site = self.upload(
            icon_file=picture("icon.png", 300, 200, colour=(200, 30, 30))
        )
        assert site.icon is not None
        home = self.reader.get("/").content.decode()
        self.assertIn(f'href="/favicon.ico?v={site.icon.pk}"', home)
        self.assertIn(
            f'<link rel="apple-touch-icon" href="/touch-icon.png?v={site.icon.pk}">',
            home,
        )

        ico = self.reader.get("/favicon.ico")
        self.assertEqual(ico["Content-Type"], "image/x-icon")
        data = ico.content
        self.assertNotEqual(data, b"".join(packaged.streaming_content))  # type: ignore[attr-defined]
        with PILImage.open(io.BytesIO(data)) as icon:
            self.assertEqual(icon.format, "ICO")
            self.assertEqual(set(icon.info["sizes"]), {(16, 16), (32, 32), (48, 48)})
            # The 300 x 200 picture is shown whole in a square: red in the
            # middle, transparent bands above and below.
            rgba = icon.convert("RGBA")
            middle, top = rgba.getpixel((24, 24)), rgba.getpixel((24, 1))
        self.assertEqual(middle, (200, 30, 30, 255))
        assert isinstance(top, tuple)
        self.assertEqual(top[3], 0)

        touch = self.reader.get(f"/touch-icon.png?v={site.icon.pk}")
        self.assertEqual(touch["Content-Type"], "image/png")
        with PILImage.open(io.BytesIO(touch.content)) as icon:
            self.assertEqual(icon.size, (180, 180))

    def test_without_an_icon_the_home_screen_icon_is_gazettes(self):
        response = self.reader.get("/touch-icon.png")
        self.assertEqual(response.status_code, 302)
        self.assertIn("gazette/icon", response["Location"])

    def test_a_picture_may_be_removed(self):
        self.upload(logo_file=picture("mark.png", 120, 60))
        site = self.upload(remove_logo="on")
        self.assertIsNone(site.logo)
        self.assertNotIn("site-logo", self.reader.get("/").content.decode())
        # Still in the library, for other uses.
        self.assertEqual(Image.objects.count(), 1)

    def test_a_tiny_icon_is_refused_and_nothing_is_saved(self):
        response = self.client.post(
            "/desk/settings/",
            settings_form(
                title="Ridge notes",
                logo_file=picture("mark.png", 120, 60),
                icon_file=picture("dot.png", 20, 20),
            ),
        )
        self.assertEqual(response.status_code, 400)
        page = response.content.decode()
        self.assertIn("This picture is 20 × 20 pixels", page)
        self.assertIn("Choose the pictures again", page)
        self.assertIn('value="Ridge notes"', page)
        self.assertEqual(Image.objects.count(), 0)
        self.assertEqual(SiteSettings.load().title, "Gazette")

    def test_a_file_that_is_not_a_picture_is_refused(self):
        fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", "image/png")
        response = self.client.post("/desk/settings/", settings_form(logo_file=fake))
        self.assertEqual(response.status_code, 400)
        self.assertIsNone(SiteSettings.load().logo)
        self.assertEqual(Image.objects.count(), 0)

    def test_changing_a_picture_refreshes_cached_pages(self):
        self.make_post("Ridge walk")
        self.assertEqual(self.reader.get("/")["X-Gazette-Cache"], "miss")
        self.assertEqual(self.reader.get("/")["X-Gazette-Cache"], "hit")
        self.upload(logo_file=picture("mark.png", 120, 60))
        fresh = self.reader.get("/")
        self.assertEqual(fresh["X-Gazette-Cache"], "miss")
        self.assertIn("site-logo", fresh.content.decode())


class OwnTemplatesTest(LookTestCase):
    def test_a_template_in_the_blogs_folder_wins_and_may_extend_gazettes(self):
        with tempfile.TemporaryDirectory() as folder:
            templates = Path(folder) / "templates"
            (templates / "posts").mkdir(parents=True)
            # The documented way to add a stylesheet: extend Gazette's base.html.
            (templates / "base.html").write_text(
                '{% extends "base.html" %}{% load static %}'
                "{% block blog_head %}"
                '<link rel="stylesheet" href="{% static \'theme/blog.css\' %}">'
                "{% endblock blog_head %}"
            )
            # And any app's template may be replaced outright.
            (templates / "posts" / "_hashtags.html").write_text(
                '<p class="my-tags">Filed under {{ post.hashtags.all|join:", " }}</p>'
            )
            gazettes = list(settings.TEMPLATES[0]["DIRS"])  # type: ignore[call-overload]
            engine = settings.TEMPLATES[0] | {"DIRS": [templates, *gazettes]}
            with override_settings(TEMPLATES=[engine]):
                post = self.make_post("Ridge walk", hashtags=("Hills",))
                page = self.reader.get(post.get_absolute_url()).content.decode()
        self.assertIn('<link rel="stylesheet" href="/static/theme/blog.css">', page)
        self.assertIn('<p class="my-tags">Filed under #Hills</p>', page)
        # Gazette's own base template still made the page around it.
        self.assertIn('<a class="skip-link" href="#content">', page)

    def test_gazette_theme_dir_puts_the_folder_first(self):
        with tempfile.TemporaryDirectory() as folder:
            templates, static = settings_seen_by_gazette(
                {"GAZETTE_THEME_DIR": folder},
                "s.TEMPLATES[0]['DIRS'][0]",
                "s.STATICFILES_DIRS[0]",
            )
        self.assertEqual(templates, repr(Path(folder) / "templates"))
        self.assertEqual(static, repr(("theme", Path(folder) / "static")))
