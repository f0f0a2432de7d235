"""Uploads are served with a year's caching, so a name is never used twice."""

from django.test import SimpleTestCase

from gazette.images.models import Image, upload_path


class UploadNameTest(SimpleTestCase):
    def test_the_same_file_name_is_stored_under_a_new_name_each_time(self):
        names = {upload_path(Image(), "harbour at dawn.jpg") for _ in range(20)}
        self.assertEqual(len(names), 20)
        for name in names:
            self.assertTrue(name.startswith("images/"))
            self.assertTrue(name.endswith(".jpg"))
            self.assertIn("harbour at dawn-", name)
