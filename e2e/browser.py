"""Headless Chromium for the browser tests: Debian's build, driven by Playwright."""

import os

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("GAZETTE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class BrowserTestCase(StaticLiveServerTestCase):
    """A live server plus one browser for the class; a fresh page for each test.

    Marked "browser": `make test` runs these once, on SQLite. What they check
    is what a browser makes of the pages; the database work behind each page
    is tested on both engines by the rest of the suite.
    """

    pytestmark = pytest.mark.browser

    @classmethod
    def setUpClass(cls):
        # Playwright's sync API runs an event loop; Django refuses ORM calls inside
        # one unless told it is safe, which it is in these single-threaded tests.
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.context = self.browser.new_context(viewport={"width": 1100, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)

    def tearDown(self):
        self.context.close()
        super().tearDown()
