"""--fetch-images against a local HTTP server: no machine here reaches the web."""

import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

from gazette.demo.pictures import hills_at_dawn
from gazette.images.models import Image
from gazette.importers.fetch import largest_size
from gazette.posts.models import Post
from gazette.test import BaseTestCase, committed

BACKUP = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns='http://www.w3.org/2005/Atom'>
<entry>
  <id>tag:blogger.com,1999:blog-9.post-1</id>
  <published>2022-04-02T10:00:00.000Z</published>
  <updated>2022-04-02T10:00:00.000Z</updated>
  <category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#post'/>
  <title type='text'>Pictures from the ridge</title>
  <content type='html'>{body}</content>
  <link rel='alternate' type='text/html' href='https://ridge.blogspot.com/2022/04/pictures.html'/>
  <author><name>Ash</name></author>
</entry>
</feed>"""
BODY = (
    '<table class="tr-caption-container"><tr><td>'
    '<a href="{base}/img/s1600/ridge.jpg"><img src="{base}/img/s320/ridge.jpg" '
    'alt="The ridge at dawn" /></a></td></tr>'
    '<tr><td class="tr-caption">First light, April</td></tr></table>'
    '<img src="{base}/img/flaky.jpg" alt="Cairn" />'
    '<img src="{base}/img/gone.jpg" alt="Lost" />'
)


class _Pictures(BaseHTTPRequestHandler):
    asked: list[str] = []
    flaky_left = 1

    def do_GET(self):
        type(self).asked.append(self.path)
        if self.path == "/img/flaky.jpg" and type(self).flaky_left:
            type(self).flaky_left -= 1
            self.send_error(503)
            return
        if self.path in ("/img/s1600/ridge.jpg", "/img/flaky.jpg"):
            data = hills_at_dawn()
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_error(404)

    def log_message(self, *args):
        pass


class FetchImagesTest(BaseTestCase):
    def setUp(self):
        super().setUp()
        _Pictures.asked, _Pictures.flaky_left = [], 1
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Pictures)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        base = f"http://127.0.0.1:{self.server.server_port}"
        body = BODY.format(base=base).replace("<", "&lt;").replace(">", "&gt;")
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.var = Path(folder.name)
        self.backup = self.var / "backup.xml"
        self.backup.write_text(BACKUP.format(body=body))

    def run_import(self) -> str:
        out = StringIO()
        with override_settings(GAZETTE_IMPORT_DIR=self.var), committed():
            call_command(
                "import_blogger", str(self.backup), "--fetch-images", stdout=out
            )
        return out.getvalue()

    def test_pictures_join_the_library_and_the_post_points_at_them(self):
        report = self.run_import()
        self.assertIn("2 images", report)
        self.assertIn("Not fetched: http://127.0.0.1", report)
        self.assertIn("gone.jpg: the server answered 404", report)
        ridge = Image.objects.get(alt_text="The ridge at dawn")
        self.assertEqual(ridge.caption, "First light, April")
        self.assertTrue(ridge.renditions)
        self.assertIn("/img/s1600/ridge.jpg", _Pictures.asked)  # the large copy
        self.assertNotIn("/img/s320/ridge.jpg", _Pictures.asked)
        post = Post.objects.get()
        self.assertIn(ridge.file.url, post.body_html)
        self.assertNotIn("/img/s320/ridge.jpg", post.body_html)
        self.assertIn("gone.jpg", post.body_html)  # kept at its old address
        self.assertTrue(Image.objects.filter(alt_text="Cairn").exists())  # retried

    def test_a_second_run_resumes_from_what_was_fetched(self):
        self.run_import()
        _Pictures.asked = []
        Post.objects.all().delete()
        Image.objects.all().delete()
        self.run_import()
        self.assertEqual(_Pictures.asked, ["/img/gone.jpg"])  # only the missing one
        self.assertEqual(Image.objects.count(), 2)

    def test_blogger_addresses_ask_for_the_largest_size(self):
        self.assertEqual(
            largest_size("https://blogger.googleusercontent.com/img/b/AbC/s320/p.jpg"),
            "https://blogger.googleusercontent.com/img/b/AbC/s0/p.jpg",
        )
        self.assertEqual(
            largest_size("https://1.bp.blogspot.com/-x/y/w400-h300/p.jpg"),
            "https://1.bp.blogspot.com/-x/y/s0/p.jpg",
        )
        self.assertEqual(
            largest_size("https://blogger.googleusercontent.com/img/a/AVvX=w640-h426"),
            "https://blogger.googleusercontent.com/img/a/AVvX=s0",
        )
        self.assertEqual(
            largest_size("https://x.example/s320/p.jpg"), "https://x.example/s320/p.jpg"
        )
