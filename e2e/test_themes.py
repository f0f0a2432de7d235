"""An admin picks a theme, colour scheme, fonts, pictures and listing style in
Settings, and readers see them."""

import tempfile
from pathlib import Path

from django.conf import settings
from PIL import Image
from playwright.sync_api import Page, expect

from e2e.browser import BrowserTestCase
from e2e.checked_pages import build_blog
from gazette.site.colours import accent_for_dark
from gazette.site.look import FONT_STACKS
from gazette.site.models import Font

# The dark palette's page colour in gazette.css, #16181c, as browsers report it.
DARK_PAPER = "rgb(22, 24, 28)"


def rgb(colour: str) -> str:
    """A #rrggbb colour as getComputedStyle reports it."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def sidebar_beside_content(page: Page) -> bool:
    """Whether the sidebar stands to the right of the posts (rather than under them)."""
    return page.evaluate(
        """() => {
          const main = document.querySelector("main").getBoundingClientRect();
          const side = document.querySelector(".sidebar").getBoundingClientRect();
          return side.left >= main.right && side.top < main.bottom;
        }"""
    )


class ThemeTest(BrowserTestCase):
    def sign_in_admin(self, blog) -> Page:
        self.page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": blog.admin_session,
                    "url": self.live_server_url,
                }
            ]
        )
        return self.page

    def test_an_admin_switches_to_the_dark_magazine_theme(self):
        blog = build_blog()
        home = self.live_server_url + "/"
        reader = self.browser.new_context(
            viewport={"width": 1100, "height": 900}, color_scheme="light"
        )
        self.addCleanup(reader.close)
        page = reader.new_page()

        # Before: the classic theme, light on a light system, sidebar beside.
        page.goto(home)
        self.assertEqual(
            page.evaluate("document.body.className"), "theme-classic scheme-auto"
        )
        self.assertTrue(sidebar_beside_content(page))
        self.assertNotEqual(
            page.evaluate("getComputedStyle(document.body).backgroundColor"),
            DARK_PAPER,
        )

        admin = self.sign_in_admin(blog)
        admin.goto(self.live_server_url + "/desk/settings/")
        admin.get_by_label("Theme").select_option("magazine")
        admin.get_by_label("Colour scheme").select_option("dark")
        admin.get_by_label("Accent colour").fill("#8a1c2b")
        admin.get_by_role("button", name="Save settings").click()
        expect(admin.get_by_text("Settings saved.")).to_be_visible()
        # The desk itself stays as it was.
        self.assertEqual(admin.evaluate("document.body.className"), "desk")

        # After: the reader's next visit (the cached page moved on) is the
        # magazine, dark although the reader's system asks for light.
        page.goto(home)
        body = page.locator("body")
        expect(body).to_have_class("theme-magazine scheme-dark")
        self.assertEqual(
            page.evaluate("getComputedStyle(document.body).backgroundColor"),
            DARK_PAPER,
        )
        self.assertFalse(sidebar_beside_content(page))
        below = page.evaluate(
            """() => document.querySelector(".sidebar").getBoundingClientRect().top
                 >= document.querySelector("main").getBoundingClientRect().bottom"""
        )
        self.assertTrue(below)
        # A listed post with a picture is a card with the picture on top.
        card = page.locator(".post-summary:has(.summary-picture)").first
        picture_top = card.locator(".summary-picture").bounding_box()
        title_top = card.locator(".post-title").bounding_box()
        assert picture_top is not None and title_top is not None
        self.assertLess(picture_top["y"], title_top["y"])
        # Links take the dark shade of the new accent colour.
        link = page.locator(".sidebar a").first
        expect(link).to_have_css("color", rgb(accent_for_dark("#8a1c2b")))

    def test_an_admin_sets_fonts_a_logo_whole_posts_and_own_css(self):
        blog = build_blog()
        folder = self.enterContext(tempfile.TemporaryDirectory(prefix="gazette-e2e-"))
        logo = Path(folder) / "mark.png"
        Image.new("RGB", (160, 80), (29, 92, 143)).save(logo)

        admin = self.sign_in_admin(blog)
        admin.goto(self.live_server_url + "/desk/settings/")
        admin.get_by_label("Text font").select_option(Font.HUMANIST.value)
        admin.get_by_label("Headings font").select_option(Font.OLD_STYLE.value)
        admin.get_by_label("Lists of posts show").select_option("whole")
        admin.get_by_label("Logo file").set_input_files(logo)
        admin.get_by_label("Custom CSS").fill(".site-title { letter-spacing: 0.25em; }")
        admin.get_by_role("button", name="Save settings").click()
        expect(admin.get_by_text("Settings saved.")).to_be_visible()
        expect(admin.locator(".site-pictures img")).to_have_count(1)

        reader = self.browser.new_context(viewport={"width": 1100, "height": 900})
        self.addCleanup(reader.close)
        page = reader.new_page()
        page.goto(self.live_server_url + "/")
        family = page.evaluate("getComputedStyle(document.body).fontFamily")
        self.assertEqual(family, FONT_STACKS[Font.HUMANIST])
        heading = page.evaluate(
            "getComputedStyle(document.querySelector('.post-title')).fontFamily"
        )
        self.assertEqual(heading, FONT_STACKS[Font.OLD_STYLE])
        # The logo loaded, at its own proportions.
        shown = page.locator(".site-logo")
        expect(shown).to_be_visible()
        size = page.evaluate(
            """() => { const img = document.querySelector(".site-logo");
                       return [img.naturalWidth, img.complete,
                               img.getBoundingClientRect().width / img.getBoundingClientRect().height]; }"""
        )
        self.assertEqual(size[:2], [160, True])
        self.assertAlmostEqual(size[2], 2.0, places=1)
        # Whole posts: the ridge walk's own text, not its excerpt.
        article = page.locator("article.whole-post").filter(has_text=blog.post.title)
        expect(article.locator(".post-body")).to_be_visible()
        # The blog's own CSS came last and applies.
        spacing = page.evaluate(
            """() => { const style = getComputedStyle(document.querySelector(".site-title"));
                       return parseFloat(style.letterSpacing) / parseFloat(style.fontSize); }"""
        )
        self.assertAlmostEqual(spacing, 0.25, places=2)
