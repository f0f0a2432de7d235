import re

from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import expect

from e2e.browser import BrowserTestCase
from gazette.images.tests.test_uploads import picture
from gazette.posts.models import Hashtag
from gazette.site import roles


class _OneRequestAtATime(WSGIServer):
    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


class _SerialLiveServerThread(LiveServerThread):
    """The editor sends previews, autosaves and uploads at once; under SQLite the
    tests' in-memory database is one connection that threads cannot share, so
    this live server answers requests one after another."""

    server_class = _OneRequestAtATime


class DeskTest(BrowserTestCase):
    server_thread_class = _SerialLiveServerThread

    def setUp(self):
        super().setUp()
        cache.clear()
        # The browser tests empty the database between tests, groups included.
        authors, _ = Group.objects.get_or_create(name=roles.AUTHORS)
        alice = get_user_model().objects.create_user("alice", password="frosty-ridge-7")
        alice.groups.add(authors)

    def session_for(self, username: str) -> str:
        """A signed-in session, for tests that do not go through the sign-in form."""
        user = get_user_model().objects.get(username=username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        return session.session_key

    def test_it_writes_illustrates_previews_and_publishes_a_post(self):
        page = self.page
        # Script errors and refusals by the content security policy end up here
        # (the browser's own request for /favicon.ico aside).
        problems = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda m: (
                problems.append(m.text)
                if m.type == "error" and "favicon" not in m.location.get("url", "")
                else None
            ),
        )
        page.goto(self.live_server_url + "/desk/")
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill("frosty-ridge-7")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Posts")).to_be_visible()

        page.get_by_role("link", name="New post").first.click()
        page.get_by_label("Title", exact=True).fill("Frost on the high ridge")
        expect(page.get_by_label("Slug")).to_have_value("frost-on-the-high-ridge")
        body = page.get_by_label("Text", exact=True)
        body.fill("We climbed before dawn, boots loud on the #Walking path.")
        page.get_by_label("Hashtags").fill("Winter")

        page.get_by_label("Picture", exact=True).set_input_files(
            {
                "name": "ridge.jpg",
                "mimeType": "image/jpeg",
                "buffer": picture(1200, 800),
            }
        )
        page.get_by_label("Alt text").fill("A white ridge under a clear sky")
        page.get_by_label("Caption").fill("Hoar frost at first light")
        page.get_by_role("button", name="Upload and insert").click()
        expect(body).to_have_value(
            re.compile(
                r"path\.\n\n!\[A white ridge under a clear sky\]"
                r'\(/media/images/\S+\.jpg "Hoar frost at first light"\)'
            )
        )

        preview = page.locator("#preview")
        expect(preview.locator("figure figcaption")).to_have_text(
            "Hoar frost at first light"
        )
        expect(preview.locator("a.hashtag")).to_have_text("#Walking")

        page.get_by_role("button", name="Publish", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("Published")
        self.assertEqual(problems, [])

        reader = self.browser.new_context()
        try:
            home = reader.new_page()
            home.goto(self.live_server_url + "/")
            home.get_by_role("link", name="Frost on the high ridge").click()
            expect(home.get_by_role("heading", level=1)).to_have_text(
                "Frost on the high ridge"
            )
            expect(home.locator("figure figcaption")).to_have_text(
                "Hoar frost at first light"
            )
            image = home.locator("figure img")
            expect(image).to_have_attribute("alt", "A white ridge under a clear sky")
            self.assertGreater(image.evaluate("img => img.naturalWidth"), 0)
            tags = home.locator("article.post .hashtags")
            expect(tags).to_contain_text("#Walking")
            expect(tags).to_contain_text("#Winter")
        finally:
            reader.close()

    def test_it_autosaves_a_draft_and_completes_hashtags(self):
        Hashtag.objects.create(name="Winter")
        self.context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": self.session_for("alice"),
                    "url": self.live_server_url,
                }
            ]
        )
        page = self.page
        page.goto(self.live_server_url + "/desk/posts/new/")
        page.get_by_label("Title", exact=True).fill("Notes from the bothy")
        page.get_by_label("Text", exact=True).fill("Rain on the tin roof all night.")
        hashtags = page.get_by_label("Hashtags")
        hashtags.press_sequentially("Walking wi")
        expect(page.locator("#hashtag-names option")).to_have_attribute(
            "value", "Walking Winter"
        )
        # Leaving the page saves at once, without waiting for the next round.
        page.evaluate("window.dispatchEvent(new Event('pagehide'))")
        expect(page.get_by_role("status")).to_contain_text("Draft saved at")
        expect(page).to_have_url(re.compile(r"/desk/posts/\d+/$"))
        page.reload()
        expect(page.get_by_label("Text", exact=True)).to_have_value(
            "Rain on the tin roof all night."
        )
