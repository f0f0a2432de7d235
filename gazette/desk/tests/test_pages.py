from gazette.desk.tests.base import DeskTestCase
from gazette.posts.models import Page


def page_form(**fields) -> dict:
    data = {"title": "About", "slug": "", "slug_auto": "True", "body": "Who writes."}
    return data | {"position": "0", "draft_key": "", "action": "save"} | fields


class PageTest(DeskTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.dave)

    def test_an_admin_writes_revises_and_publishes_a_page(self):
        self.client.post("/desk/pages/new/", page_form())
        page = Page.objects.get()
        self.assertEqual((page.slug, page.is_visible), ("about", False))
        self.assertEqual(self.client.get("/p/about/").status_code, 404)

        edit = f"/desk/pages/{page.pk}/"
        self.client.post(edit, page_form(slug="about", slug_auto="", action="publish"))
        self.assertContains(self.client.get("/p/about/"), "Who writes.")
        self.client.post(
            edit, page_form(slug="about-us", slug_auto="", body="We write.")
        )
        self.assertEqual(page.revisions.count(), 3)
        response = self.client.get(f"{edit}revisions/")
        self.assertContains(response, '<span class="diff-added">+We write.</span>')
        # The old address of a published page leads to the new one.
        self.assertRedirects(self.client.get("/p/about/"), "/p/about-us/", 301)

    def test_an_empty_title_comes_back_with_the_text(self):
        response = self.client.post("/desk/pages/new/", page_form(title=""))
        self.assertContains(response, "This field is required.", status_code=400)
        self.assertContains(response, "Who writes.", status_code=400)
        self.assertFalse(Page.objects.exists())

    def test_a_page_autosaves_and_goes_to_the_trash(self):
        answer = self.client.post("/desk/pages/autosave/", page_form(draft_key="p"))
        page = Page.objects.get()
        self.assertEqual(answer.json()["edit_url"], f"/desk/pages/{page.pk}/")
        self.client.post(f"/desk/pages/{page.pk}/trash/")
        self.assertContains(self.client.get("/desk/trash/"), "About")
        self.client.post(f"/desk/trash/pages/{page.pk}/restore/")
        page.refresh_from_db()
        self.assertIsNone(page.trashed_at)

    def test_authors_cannot_write_pages(self):
        self.client.force_login(self.alice)
        self.assertEqual(
            self.client.post("/desk/pages/new/", page_form()).status_code, 403
        )
        response = self.client.post("/desk/pages/autosave/", page_form())
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Page.objects.exists())
