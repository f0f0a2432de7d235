from io import StringIO

from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

from e2e.browser import BrowserTestCase


class ReadingTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        call_command("demo", stdout=StringIO())

    def test_it_reads_a_post_and_follows_a_hashtag(self):
        page = self.page
        page.goto(self.live_server_url + "/")
        expect(page.locator(".date-header").first).to_be_visible()

        page.get_by_role("link", name="A dawn walk along the ridge").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "A dawn walk along the ridge"
        )
        caption = page.locator("figure figcaption")
        expect(caption).to_contain_text("First light over the western ridges")
        image = page.locator("figure img")
        expect(image).to_have_attribute(
            "alt", "Four ridges of hills fading into a pale orange dawn sky"
        )
        # The picture really loaded (the browser picked a rendition from srcset).
        self.assertGreater(image.evaluate("img => img.naturalWidth"), 0)
        expect(page.locator("#comments-heading")).to_have_text("4 comments")

        page.locator("article.post .hashtags").get_by_role(
            "link", name="#Walking"
        ).click()
        expect(page).to_have_url(self.live_server_url + "/hashtag/Walking/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("#Walking")
        expect(
            page.get_by_role("link", name="A dawn walk along the ridge")
        ).to_be_visible()

    def test_it_fits_a_small_phone_without_scrolling_sideways(self):
        page = self.page
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto(self.live_server_url + "/")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(scroll_width, 320)
        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
