from gazette.desk.tests.base import DeskTestCase
from gazette.site.models import SiteSettings


def settings_form(**fields) -> dict:
    data = {
        "title": "Ridge Notes",
        "description": "Walks and weather",
        "language": "fr",
        "time_zone": "Europe/Paris",
        "posts_per_page": "5",
        "comment_policy": "hold_all",
        "close_comments_after_days": "30",
        "spam_hold_threshold": "0.4",
        "spam_reject_threshold": "0.8",
        "feed_full_content": "",
    }
    return data | fields


class SiteSettingsTest(DeskTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.dave)

    def test_an_admin_changes_the_blogs_settings(self):
        response = self.client.post("/desk/settings/", settings_form())
        self.assertRedirects(response, "/desk/settings/")
        site = SiteSettings.load()
        self.assertEqual(
            (site.title, site.language, site.time_zone, site.comment_policy),
            ("Ridge Notes", "fr", "Europe/Paris", "hold_all"),
        )
        self.assertFalse(site.feed_full_content)
        self.assertContains(self.client.get("/"), "Ridge Notes")

    def test_bad_settings_come_back_with_reasons(self):
        for field, value, reason in (
            ("time_zone", "Mars/Olympus", "Select a valid choice."),
            ("language", "zz-nowhere", "is not a known language code"),
            ("spam_reject_threshold", "0.2", "Must be at least the score"),
            ("spam_hold_threshold", "7", "Enter a number from 0 to 1."),
            ("close_comments_after_days", "3000000", "less than or equal to 36500"),
        ):
            with self.subTest(field=field):
                response = self.client.post(
                    "/desk/settings/", settings_form(**{field: value})
                )
                self.assertContains(response, reason, status_code=400)
                self.assertContains(response, "Ridge Notes", status_code=400)
        self.assertEqual(SiteSettings.load().title, "Gazette")
