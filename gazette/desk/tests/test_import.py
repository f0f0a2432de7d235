"""The desk's Import screen: upload, read what a dry run found, then import."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from gazette.comments.models import Comment
from gazette.desk.tests.base import DeskTestCase
from gazette.importers.models import ImportJob
from gazette.posts.models import Post

FIXTURE = Path(__file__).parents[2] / "importers/tests/fixtures/blogger-classic.xml"


def backup(text: bytes | None = None, name: str = "blog.xml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text if text is not None else FIXTURE.read_bytes())


class ImportScreenTest(DeskTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.dave)  # the blog's admin

    def test_an_admin_checks_a_backup_then_imports_it(self):
        response = self.client.post("/desk/import/", {"backup": backup()}, follow=True)
        self.assertContains(response, "Ready to import")
        self.assertContains(response, "Would import from blogger: 3 posts, 1 pages")
        self.assertFalse(Post.objects.exists())  # the check wrote nothing

        job = ImportJob.objects.get()
        response = self.client.post(f"/desk/import/{job.pk}/start/", follow=True)
        self.assertContains(response, "Imported from blogger: 3 posts, 1 pages")
        self.assertEqual(Post.objects.count(), 3)
        self.assertEqual(Comment.objects.count(), 3)
        job.refresh_from_db()
        self.assertEqual(job.state, ImportJob.State.DONE)
        # Started twice, it does nothing the second time.
        self.client.post(f"/desk/import/{job.pk}/start/")
        self.assertEqual(Post.objects.count(), 3)

    def test_an_import_can_teach_the_spam_filter(self):
        response = self.client.post(
            "/desk/import/",
            {"backup": backup(), "teach_spam_filter": "on"},
            follow=True,
        )
        self.assertContains(response, "The spam filter will learn")
        job = ImportJob.objects.get()
        response = self.client.post(f"/desk/import/{job.pk}/start/", follow=True)
        taught = Comment.objects.filter(trained_as=Comment.Label.HAM).count()
        self.assertGreater(taught, 0)
        self.assertContains(response, f"Taught the spam filter {taught} approved")

    def test_a_file_that_is_no_backup_is_refused_beside_the_form(self):
        response = self.client.post(
            "/desk/import/", {"backup": backup(b"<html>hello</html>", "page.html")}
        )
        self.assertContains(response, "neither a Blogger backup", status_code=400)
        self.assertFalse(ImportJob.objects.exists())

    def test_a_broken_backup_fails_its_check_with_the_reason(self):
        whole = FIXTURE.read_bytes()
        response = self.client.post(
            "/desk/import/", {"backup": backup(whole[: len(whole) // 2])}, follow=True
        )
        self.assertContains(response, "Nothing was imported. not well-formed XML")
        self.assertNotContains(response, "Start the import")

    def test_only_admins_import(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/desk/import/").status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get("/desk/import/").status_code, 302)
