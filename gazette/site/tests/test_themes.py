"""Themes, colour schemes and the accent colour chosen in the desk's Settings."""

import re
from pathlib import Path

from django.contrib.auth.models import Group
from django.test import Client

from gazette.desk.forms import SiteSettingsForm
from gazette.site import roles
from gazette.site.colours import (
    DARK_BACKGROUNDS,
    LIGHT_BACKGROUNDS,
    accent_for_dark,
    contrast,
)
from gazette.site.look import stylesheet_version
from gazette.site.models import SiteSettings
from gazette.test import BaseTestCase

CSS = (Path(__file__).resolve().parents[2] / "static/gazette/gazette.css").read_text()


def settings_form(**fields) -> dict:
    """What the settings form sends for the default blog, with `fields` changed."""
    data = {
        "title": "Gazette",
        "description": "",
        "language": "en",
        "time_zone": "UTC",
        "posts_per_page": "10",
        "comment_policy": "hold_first",
        "close_comments_after_days": "",
        "spam_hold_threshold": "0.5",
        "spam_reject_threshold": "0.98",
        "feed_full_content": "on",
        "theme": "classic",
        "color_scheme": "auto",
        "accent_color": "#1d5c8f",
    }
    return data | fields


def body_classes(html: str) -> set[str]:
    match = re.search(r'<body class="([^"]*)"', html)
    assert match is not None, "the page has no <body class>"
    return set(match.group(1).split())


class ThemeSettingsTest(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.dave.groups.add(Group.objects.get(name=roles.ADMINS))
        self.client.force_login(self.dave)
        # Readers have no session, so they are the ones the page cache serves.
        self.reader = Client()

    def test_it_starts_classic_following_the_readers_system(self):
        home = self.reader.get("/").content.decode()
        self.assertEqual(body_classes(home), {"theme-classic", "scheme-auto"})
        self.assertIn("/static/gazette/themes/classic.css", home)
        self.assertIn(f'href="/theme.css?v={stylesheet_version(SiteSettings())}"', home)

    def test_it_shows_the_three_settings_with_help(self):
        page = self.client.get("/desk/settings/")
        for name, help_text in (
            ("theme", "The look of the reading pages"),
            ("color_scheme", "whichever each reader"),
            ("accent_color", "Links and buttons"),
        ):
            with self.subTest(name=name):
                self.assertContains(page, f'name="{name}"')
                self.assertContains(page, help_text)
        # A colour picker, which HTML forbids a maxlength on.
        picker = re.search(r'<input type="color"[^>]*>', page.content.decode())
        assert picker is not None
        self.assertIn('name="accent_color"', picker.group())
        self.assertNotIn("maxlength", picker.group())

    def test_it_changes_the_body_classes_and_stylesheets(self):
        fields = {
            "theme": "magazine",
            "color_scheme": "dark",
            "accent_color": "#8A1C2B",
        }
        response = self.client.post("/desk/settings/", settings_form(**fields))
        self.assertRedirects(response, "/desk/settings/")
        site = SiteSettings.load()
        self.assertEqual(
            (site.theme, site.color_scheme, site.accent_color),
            ("magazine", "dark", "#8a1c2b"),
        )
        home = self.reader.get("/").content.decode()
        self.assertEqual(body_classes(home), {"theme-magazine", "scheme-dark"})
        self.assertIn("/static/gazette/themes/magazine.css", home)
        self.assertNotIn("themes/classic.css", home)
        # A new look is a new address for the day-long cached stylesheet.
        self.assertIn(f'href="/theme.css?v={stylesheet_version(site)}"', home)
        self.assertNotEqual(
            stylesheet_version(site), stylesheet_version(SiteSettings())
        )
        # The theme loads after the base stylesheet, so its rules win ties.
        self.assertLess(home.index("gazette/gazette.css"), home.index("themes/"))

    def test_it_refreshes_cached_pages(self):
        self.make_post("Frost on the ridge")
        self.assertEqual(self.reader.get("/")["X-Gazette-Cache"], "miss")
        self.assertEqual(self.reader.get("/")["X-Gazette-Cache"], "hit")
        self.client.post("/desk/settings/", settings_form(color_scheme="light"))
        fresh = self.reader.get("/")
        self.assertEqual(fresh["X-Gazette-Cache"], "miss")
        self.assertIn("scheme-light", body_classes(fresh.content.decode()))
        self.assertEqual(self.reader.get("/")["X-Gazette-Cache"], "hit")

    def test_it_refuses_a_bad_colour_with_a_reason(self):
        for value, reason in (
            ("blue", "Enter a colour as # and six hexadecimal digits"),
            ("#12345", "Enter a colour as # and six hexadecimal digits"),
            ("#ffee88", "too light to read on the page"),
        ):
            with self.subTest(value=value):
                form = SiteSettingsForm(settings_form(accent_color=value))
                self.assertFalse(form.is_valid())
                self.assertIn(reason, form.errors["accent_color"][0])
                response = self.client.post(
                    "/desk/settings/", settings_form(accent_color=value)
                )
                self.assertContains(response, reason, status_code=400)
        self.assertEqual(SiteSettings.load().accent_color, "#1d5c8f")

    def test_a_form_without_the_new_fields_keeps_the_look(self):
        site = SiteSettings.load()
        site.theme, site.color_scheme = "magazine", "dark"
        site.save()
        older = settings_form(title="Ridge Notes")
        for name in ("theme", "color_scheme", "accent_color"):
            del older[name]
        self.assertRedirects(
            self.client.post("/desk/settings/", older), "/desk/settings/"
        )
        site = SiteSettings.load()
        self.assertEqual(
            (site.title, site.theme, site.color_scheme, site.accent_color),
            ("Ridge Notes", "magazine", "dark", "#1d5c8f"),
        )

    def test_the_desk_keeps_its_own_look(self):
        self.client.post("/desk/settings/", settings_form(theme="magazine"))
        desk = self.client.get("/desk/settings/").content.decode()
        self.assertNotIn("themes/magazine.css", desk)
        self.assertIn('<body class="desk">', desk)


class AccentStylesheetTest(BaseTestCase):
    def test_it_serves_the_accent_and_a_readable_dark_shade(self):
        site = SiteSettings.load()
        site.accent_color = "#8a1c2b"
        site.save()
        response = Client().get("/theme.css?v=1")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/css; charset=utf-8")
        css = response.content.decode()
        dark = re.search(r"--accent: light-dark\(#8a1c2b, (#[0-9a-f]{6})\);", css)
        assert dark is not None
        for background in DARK_BACKGROUNDS:
            self.assertGreaterEqual(contrast(dark.group(1), background), 4.5)
        # Nothing but custom properties: the stylesheet only carries settings.
        self.assertEqual(
            re.sub(
                r"--[a-z-]+: light-dark\(#[0-9a-f]{6}, #[0-9a-f]{6}\);", "", css
            ).split(),
            [":root", "{", "}"],
        )

    def test_it_may_be_kept_a_day_by_anyone(self):
        control = Client().get("/theme.css")["Cache-Control"]
        self.assertEqual(
            {part.strip() for part in control.split(",")},
            {"public", "max-age=86400"},
        )

    def test_it_answers_only_reads(self):
        self.assertEqual(Client().post("/theme.css").status_code, 405)


class AccentColoursTest(BaseTestCase):
    def palette(self, side: str) -> dict[str, str]:
        """One side ("light" or "dark") of gazette.css's light-dark() palette."""
        block = CSS[CSS.index(":root {") :]
        block = block[: block.index("}")]
        pairs = re.findall(
            r"--([a-z-]+):\s*light-dark\((#[0-9a-f]{6}), (#[0-9a-f]{6})\)", block
        )
        column = {"light": 1, "dark": 2}[side]
        return {pair[0]: pair[column] for pair in pairs}

    def test_it_checks_against_the_stylesheets_backgrounds(self):
        # The form and the dark shade judge contrast against these colours, so
        # they must be the ones gazette.css paints links on.
        backgrounds = ("paper", "card-bg", "accent-soft")
        light = self.palette("light")
        dark = self.palette("dark")
        self.assertEqual(LIGHT_BACKGROUNDS, tuple(light[name] for name in backgrounds))
        self.assertEqual(DARK_BACKGROUNDS, tuple(dark[name] for name in backgrounds))
        # The stylesheet's own default dark accent is the default's dark shade.
        self.assertEqual(dark["accent"], accent_for_dark(light["accent"]))

    def test_a_colour_that_is_already_light_enough_is_kept(self):
        self.assertEqual(accent_for_dark("#FFCC00"), "#ffcc00")
        navy = accent_for_dark("#000080")
        self.assertNotEqual(navy, "#000080")
        self.assertGreaterEqual(contrast(navy, "#16181c"), 7)
