"""Downloading a copy of the blog from the desk: Gazette's export as a zip, or a
WordPress file, for admins only."""

import io
import json
import tempfile
import zipfile
from pathlib import Path

from django.http import FileResponse
from django.utils import timezone

from gazette.desk.tests.base import DeskTestCase
from gazette.importers.wordpress.parse import parse
from gazette.site.models import SiteSettings
from gazette.site.writing import write_site_settings
from gazette.test import add_comment, committed

URL = "/desk/export/"


def downloaded(response) -> bytes:
    """The file's bytes. Reading them to the end closes the response (and its
    temporary file): the test client does that for streamed responses, without
    letting request_finished close the test's database connection."""
    assert isinstance(response, FileResponse)
    return response.getvalue()


class ExportDownloadTest(DeskTestCase):
    def setUp(self):
        super().setUp()
        site = SiteSettings.load()
        site.title = "Ridge Notes"
        with committed():
            write_site_settings(site)
        self.walk = self.make_post("Up the ridge", hashtags=("Walks",))
        self.make_post("Half written", status="draft")
        add_comment(self.walk, "Dana", "Lovely light.")
        self.client.force_login(self.dave)  # the blog's admin
        self.name = f"ridge-notes-{timezone.localdate(timezone=site.tzinfo)}"

    def test_the_import_screen_offers_both_downloads(self):
        response = self.client.get("/desk/import/")
        self.assertContains(response, "Download a copy of the blog")
        self.assertContains(response, f'action="{URL}"')
        self.assertContains(response, 'value="zip">Gazette export (.zip)</button>')
        self.assertContains(response, 'value="wxr">WordPress file (.xml)</button>')

    def test_an_admin_downloads_the_gazette_export_as_a_zip(self):
        response = self.client.post(URL, {"format": "zip"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/zip")
        self.assertEqual(
            response["Content-Disposition"], f'attachment; filename="{self.name}.zip"'
        )
        self.assertIn("no-store", response["Cache-Control"])
        with zipfile.ZipFile(io.BytesIO(downloaded(response))) as zipped:
            names = zipped.namelist()
            self.assertIn(f"{self.name}/manifest.json", names)
            manifest = json.loads(zipped.read(f"{self.name}/manifest.json"))
            posts = [
                json.loads(line)
                for line in zipped.read(f"{self.name}/posts.jsonl").splitlines()
            ]
        self.assertEqual(manifest["format"], "gazette-export")
        self.assertEqual(manifest["counts"]["posts"], 2)
        self.assertEqual(manifest["counts"]["comments"], 1)
        self.assertEqual(
            sorted((p["title"], p["status"]) for p in posts),
            [("Half written", "draft"), ("Up the ridge", "published")],
        )

    def test_an_admin_downloads_a_wordpress_file_its_importer_reads(self):
        response = self.client.post(URL, {"format": "wxr"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/xml")
        self.assertEqual(
            response["Content-Disposition"], f'attachment; filename="{self.name}.xml"'
        )
        with tempfile.TemporaryDirectory() as temp:
            path = Path(temp) / "blog.xml"
            path.write_bytes(downloaded(response))
            backup = parse(path)
        self.assertEqual(backup.title, "Ridge Notes")
        walk = next(e for e in backup.entries if e.title == "Up the ridge")
        self.assertEqual(walk.hashtags, ["Walks"])
        self.assertIn(self.walk.get_absolute_url(), walk.old_paths)  # its link
        self.assertEqual(
            sorted((e.title, e.status) for e in backup.entries),
            [("Half written", "draft"), ("Up the ridge", "published")],
        )
        self.assertEqual([c.body for c in backup.comments], ["Lovely light."])

    def test_only_admins_download_and_only_by_post(self):
        self.assertEqual(self.client.get(URL).status_code, 405)
        self.assertEqual(self.client.post(URL, {"format": "pdf"}).status_code, 400)
        self.client.force_login(self.alice)  # an author
        response = self.client.post(URL, {"format": "zip"})
        self.assertEqual(response.status_code, 403)
        self.assertNotIsInstance(response, FileResponse)
        self.assertEqual(self.client.post(URL, {"format": "wxr"}).status_code, 403)
        self.client.logout()
        response = self.client.post(URL, {"format": "zip"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], f"/desk/sign-in/?next={URL}")
