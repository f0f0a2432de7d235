"""Importing a Blogger blog from the desk, in a browser, then reading it."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.cache import cache
from playwright.sync_api import expect

from e2e.browser import BrowserTestCase

BACKUP = (
    Path(__file__).parents[1] / "gazette/importers/tests/fixtures/blogger-classic.xml"
)


class ImportTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        get_user_model().objects.create_superuser("admin", "", "salt-marsh-41")

    def test_an_admin_imports_a_blogger_backup_and_old_links_work(self):
        page = self.page
        page.goto(self.live_server_url + "/desk/")
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password").fill("salt-marsh-41")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Import").click()
        page.get_by_label("Backup file").set_input_files(str(BACKUP))
        page.get_by_role("button", name="Read the file").click()

        expect(page.get_by_role("status")).to_contain_text("Ready to import")
        expect(page.locator("pre.report")).to_contain_text(
            "Would import from blogger: 3 posts, 1 pages, 3 comments"
        )
        page.get_by_role("button", name="Start the import").click()
        expect(page.get_by_role("status")).to_contain_text("Imported")
        expect(page.locator("pre.report")).to_contain_text("3 old addresses")

        # A reader following an old Blogger link lands on the imported post.
        reader = self.browser.new_page()
        reader.goto(self.live_server_url + "/2019/03/spring-tide-old-pier.html")
        expect(reader.get_by_role("heading", level=1)).to_have_text(
            "Spring tide at the old pier"
        )
        expect(reader.locator(".post-body table")).to_contain_text("5.9 m")
        expect(reader.locator("#comments")).to_contain_text("Same lamp posts.")
        reader.close()
