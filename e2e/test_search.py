from io import StringIO

from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

from e2e.browser import BrowserTestCase


class SearchAndFeedsTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        call_command("demo", stdout=StringIO())

    def test_it_searches_from_the_box_and_follows_a_result(self):
        page = self.page
        errors = []
        page.on(
            "console", lambda m: errors.append(m.text) if m.type == "error" else None
        )
        page.goto(self.live_server_url + "/")
        box = page.get_by_role("searchbox", name="Search this blog")
        box.fill("crumb")
        box.press("Enter")
        expect(page).to_have_url(self.live_server_url + "/search/?q=crumb")
        results = page.locator(".search-result")
        expect(results).to_have_count(1)
        expect(results.locator("mark").first).to_have_text("crumb")
        expect(page.get_by_role("searchbox", name="Search this blog")).to_have_value(
            "crumb"
        )

        results.get_by_role("link", name="The third loaf").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("The third loaf")
        # The JSON-LD data block and the rest of the page break no CSP rule.
        self.assertEqual(page.locator('script[type="application/ld+json"]').count(), 1)
        self.assertEqual(errors, [])

    def test_a_hostile_search_gets_a_message(self):
        page = self.page
        page.goto(self.live_server_url + "/")
        box = page.get_by_role("searchbox", name="Search this blog")
        box.fill('"NEAR(* OR ^')
        box.press("Enter")
        expect(page.locator(".search-message")).to_contain_text("No posts match")

    def test_pages_announce_feeds_a_reader_can_fetch(self):
        page = self.page
        page.goto(self.live_server_url + "/hashtag/Baking/")
        links = page.locator('head link[rel="alternate"]')
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        self.assertIn("/feeds/posts.atom", hrefs)
        self.assertIn("/feeds/hashtag/Baking.atom", hrefs)
        feed = page.request.get(self.live_server_url + "/feeds/hashtag/Baking.atom")
        self.assertEqual(feed.status, 200)
        self.assertTrue(feed.headers["content-type"].startswith("application/atom+xml"))
        self.assertIn("<title>The third loaf</title>", feed.text())
