"""Many readers comment at once on the production server: nothing is lost or
stored twice. The server runs in other processes, so this test commits
its data (TransactionTestCase) and points the server at the test database."""

import http.cookiejar
import json
import tempfile
import threading
import urllib.error
import urllib.request
from urllib.parse import urlencode

from django.test import TransactionTestCase

from gazette.comments.models import Comment
from loadtests.server import NoRedirects, open_post, server_log, start_server

THREADS = 8
PER_THREAD = 5
TIMEOUT = 30


class ConcurrentCommentsTest(TransactionTestCase):
    def setUp(self):
        self.post = open_post("Busy post", "busy-post")

    def start_server(self, var_dir: str) -> str:
        # Relaxed for this test only: every reader here shares one address and
        # sends the form at once.
        relaxed = {
            "GAZETTE_COMMENTS_MIN_SECONDS": "0",
            "GAZETTE_COMMENTS_PER_IP": "1000",
            "GAZETTE_COMMENTS_PER_POST": "1000",
        }
        return start_server(self, var_dir, relaxed)

    def reader(self, base: str, n: int, results: list, errors: list) -> None:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), NoRedirects
        )
        page_url = base + self.post.get_absolute_url()
        token_url = f"{base}/comments/{self.post.pk}/token/"
        for i in range(PER_THREAD):
            body = f"Reader {n} says thing {i}: what a lovely morning walk."
            try:
                opener.open(page_url, timeout=TIMEOUT).read()
                # As the form's script does when the reader starts to write.
                answer = opener.open(token_url, timeout=TIMEOUT).read()
                data = {
                    "token": json.loads(answer)["token"],
                    "author_name": f"Reader {n}",
                    "author_email": f"reader{n}@example.net",
                    "body": body,
                }
                opener.open(
                    base + f"/comments/{self.post.pk}/post/",
                    urlencode(data).encode(),
                    timeout=TIMEOUT,
                )
                errors.append(f"{body}: answered 200, not a redirect")
            except urllib.error.HTTPError as answer:
                if answer.code == 302:
                    results.append(body)
                else:
                    errors.append(f"{body}: {answer.code}")
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(f"{body}: {error!r}")

    def test_every_accepted_comment_is_stored_once_and_counted(self):
        with tempfile.TemporaryDirectory() as var_dir:
            base = self.start_server(var_dir)
            accepted, errors = [], []
            threads = [
                threading.Thread(target=self.reader, args=(base, n, accepted, errors))
                for n in range(THREADS)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=TIMEOUT * 2)
            self.assertFalse(any(t.is_alive() for t in threads), "readers hung")
            self.assertEqual(errors, [], server_log(var_dir))
            self.assertEqual(len(accepted), THREADS * PER_THREAD)

            stored = list(
                Comment.objects.filter(post=self.post).values_list("body", "status")
            )
            self.assertEqual(sorted(b for b, _ in stored), sorted(accepted))
            self.assertEqual({s for _, s in stored}, {Comment.Status.APPROVED})
            page = (
                urllib.request.urlopen(
                    base + self.post.get_absolute_url(), timeout=TIMEOUT
                )
                .read()
                .decode()
            )
            self.assertIn(
                f'<h2 id="comments-heading">{len(accepted)} comments</h2>', page
            )
            for body in accepted:
                self.assertEqual(page.count(body), 1)
