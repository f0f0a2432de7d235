from collections import Counter

from django.test import Client, override_settings
from django.urls import reverse

from gazette.comments.models import Comment
from gazette.comments.moderation import moderate
from gazette.comments.tests.base import CommentsTestCase
from gazette.lib.htmlcheck import dangerous_parts

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)' x='",
    "</title><script>alert(1)</script>",
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "`<script>alert(1)</script>`",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<base href=javascript:alert(1)//>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<object data=javascript:alert(1)></object>",
    "> <script>alert(1)</script>\n\n<img/src/onerror=alert(1)>",
]
# Payloads that still pass the email and URL validators, so that they are stored.
EMAILS = [
    '"<script>alert(1)</script>"@example.com',
    '"x\\"onmouseover=alert(1)"@ex.org',
]
URLS = [
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/'><script>alert(1)</script>",
]


def problems(html: str) -> Counter:
    return Counter(dangerous_parts(html))


@override_settings(COMMENTS_PER_IP=1000, COMMENTS_PER_POST=1000)
class ScriptInCommentsTest(CommentsTestCase):
    """Script in any field never runs where the comment is shown: the post page
    and the moderation queue hold nothing runnable beyond what the same pages
    hold with harmless comments."""

    def post_all(self, post, harmless: bool) -> list[Comment]:
        for n, payload in enumerate(PAYLOADS):
            text = f"Plain comment {n}" if harmless else payload
            response = self.send(
                post,
                author_name=(f"Plain {n}" if harmless else payload)[:100],
                author_email="plain@example.org" if harmless else EMAILS[n % 2],
                author_url="https://example.org/" if harmless else URLS[n % 2],
                body=text + f" ({n})",
            )
            self.assertEqual(response.status_code, 302, payload)
        return list(post.comments.all())

    def test_nothing_runnable_reaches_a_readers_page(self):
        clean_post = self.make_post("Clean")
        bad_post = self.make_post("Payloads")
        clean = self.post_all(clean_post, harmless=True)
        bad = self.post_all(bad_post, harmless=False)
        moderate(Comment.objects.all(), "approve", by=self.alice)
        for comment in bad:
            comment.refresh_from_db()
            self.assertEqual(dangerous_parts(comment.body_html), [], comment.body)
        reader = Client()
        expected = problems(reader.get(clean_post.get_absolute_url()).content.decode())
        page = reader.get(bad_post.get_absolute_url()).content.decode()
        self.assertIn(f"{len(bad)} comments", page)
        self.assertEqual(problems(page), expected)
        self.assertEqual(len(clean), len(bad))

    def test_nothing_runnable_reaches_the_moderation_queue(self):
        clean = self.post_all(self.make_post("Clean"), harmless=True)
        bad = self.post_all(self.make_post("Payloads"), harmless=False)
        moderate(clean, "spam", by=self.alice)
        moderate(bad, "not_spam", by=self.alice)  # leaves them held
        moderate(
            Comment.objects.filter(pk__in=[c.pk for c in bad]), "trash", by=self.alice
        )
        moderate(
            Comment.objects.filter(pk__in=[c.pk for c in bad]), "approve", by=self.alice
        )
        moderate(
            Comment.objects.filter(pk__in=[c.pk for c in bad]), "spam", by=self.alice
        )
        moderate(clean, "approve", by=self.alice)
        self.client.force_login(self.alice)
        queue = reverse("desk:comments")
        with_payloads = self.client.get(queue + "?status=spam").content.decode()
        harmless = self.client.get(queue + "?status=approved").content.decode()
        self.assertIn("alert(1)", with_payloads)  # shown, as text
        self.assertEqual(problems(with_payloads), problems(harmless))

    def test_nothing_runnable_comes_back_in_a_refused_form(self):
        post = self.make_post()
        baseline = self.send(post, author_email="bad", body="Plain text")
        expected = problems(baseline.content.decode())
        for payload in PAYLOADS:
            with self.subTest(payload=payload):
                response = self.send(
                    post,
                    author_name=payload[:100],
                    author_email=payload,
                    author_url=payload,
                    body=payload,
                )
                self.assertEqual(response.status_code, 400)
                self.assertEqual(problems(response.content.decode()), expected)
        self.assertFalse(Comment.objects.exists())
