"""Remote commenters' pictures: fetched once by the server from a site on
loopback, kept as 96-pixel copies under MEDIA, shown instead of the initials
badge without the remote address ever reaching a page, and deleted with the
last comment showing them."""

import io
import json
import re
import shutil
import struct
import zlib
from unittest import mock

from django.conf import settings
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse
from PIL import Image as PILImage

from gazette.comments import avatars, moderation, tasks
from gazette.comments.intake import CommentDraft, Source, receive_comment
from gazette.comments.models import Comment
from gazette.federation.tests.mastodon import FakeMastodon
from gazette.lib import fetch
from gazette.test import BaseTestCase, committed
from gazette.webmentions.tests.remote import RemoteSiteMixin

INBOX = "/federation/inbox"


def png(width: int = 300, height: int = 200, colour=(200, 40, 40)) -> bytes:
    """A picture that is not square, so that the crop shows."""
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG that declares `width` × `height` pixels: a decompression bomb
    as far as its header goes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


class AvatarTestCase(RemoteSiteMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        folder = settings.MEDIA_ROOT / avatars.FOLDER
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        self.post = self.make_post("Tides")
        self.post_url = "http://testserver" + self.post.get_absolute_url()

    def serve_picture(self, path: str, body: bytes, **headers: str) -> str:
        self.site.pages[path] = (200, {"Content-Type": "image/png", **headers}, body)
        return self.site.url + path

    def comment(self, avatar_url: str, name: str = "Ana") -> Comment:
        """A comment by the blog's own author (approved at once) naming a
        picture, with what follows its storing done, the fetch among it."""
        draft = CommentDraft(
            name=name, body="Hello.", user=self.alice, avatar_url=avatar_url
        )
        with committed():
            comment = receive_comment(self.post, draft, Source.DESK)
        comment.refresh_from_db()
        return comment

    def approve(self, comment: Comment) -> None:
        with committed():
            moderation.moderate([comment], "approve", by=self.alice)
        comment.refresh_from_db()

    def page(self) -> str:
        return self.client.get(self.post.get_absolute_url()).content.decode()

    def assert_shows_copy(self, comment: Comment, remote: str) -> None:
        self.assertEqual(comment.avatar_url, remote)
        self.assertEqual(comment.avatar, avatars.file_name(remote))
        with default_storage.open(comment.avatar) as file:
            picture = PILImage.open(file)
            self.assertEqual((picture.format, picture.size), ("WEBP", (96, 96)))
        html = self.page()
        self.assertIn(
            f'<img class="avatar" src="/media/{comment.avatar}" alt="" width="32" '
            'height="32" loading="lazy">',
            html,
        )
        self.assertNotIn(remote, html)
        # Nothing on the page makes a reader's browser fetch a picture elsewhere.
        pictures = re.findall(r'<img[^>]*\ssrc="([^"]*)"', html)
        self.assertTrue(pictures)
        self.assertEqual([p for p in pictures if not p.startswith("/")], [])


@override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True, GAZETTE_FEDERATION=True)
class FediverseAvatarTest(AvatarTestCase):
    fake: FakeMastodon

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeMastodon()
        cls.fake.start()
        cls.addClassCleanup(cls.fake.stop)

    def setUp(self):
        super().setUp()
        actor = json.loads(self.client.get(reverse("federation:actor")).content)
        self.fake.known_keys = {
            actor["publicKey"]["id"]: actor["publicKey"]["publicKeyPem"]
        }

    def deliver(self, activity: dict) -> None:
        body = json.dumps(activity).encode()
        headers = self.fake.signed_headers(INBOX, body)
        answer = self.client.post(
            INBOX, body, content_type="application/activity+json", headers=headers
        )
        self.assertEqual(answer.status_code, 202)

    def note(self, number: int, kind: str = "Create") -> Comment | None:
        note_id = f"{self.fake.actor_id}/statuses/{number}"
        self.deliver(
            {
                "id": f"{note_id}/{kind.lower()}",
                "type": kind,
                "actor": self.fake.actor_id,
                "object": {
                    "id": note_id,
                    "type": "Note",
                    "attributedTo": self.fake.actor_id,
                    "inReplyTo": self.post_url,
                    "content": f"<p>Reply {number}</p>",
                },
            }
        )
        return Comment.objects.filter(federated__note_id=note_id).first()

    def test_it_shows_a_local_copy_of_the_actors_icon(self):
        icon = self.serve_picture("/avatars/ana.png", png())
        self.fake.serve_actor(
            icon={"type": "Image", "mediaType": "image/png", "url": icon}
        )
        comment = self.note(1)
        assert comment is not None
        self.assertEqual(comment.avatar, avatars.file_name(icon))  # while held
        self.approve(comment)
        self.assert_shows_copy(comment, icon)

    def test_it_reads_an_icon_given_as_a_list_or_an_address(self):
        icon = self.serve_picture("/avatars/ana.png", png())
        for number, given in enumerate(
            (
                [{"type": "Image", "url": "ftp://x.example/a.png"}, {"url": icon}],
                icon,
                {"type": "Image", "url": {"type": "Link", "href": icon}},
            ),
            start=1,
        ):
            with self.subTest(given):
                self.fake.serve_actor(icon=given)
                comment = self.note(number)
                assert comment is not None
                self.assertEqual(comment.avatar_url, icon)

    def test_an_unusable_icon_is_not_kept(self):
        self.fake.serve_actor(icon={"url": "javascript:alert(1)"})
        comment = self.note(1)
        assert comment is not None
        self.assertEqual((comment.avatar_url, comment.avatar), ("", ""))

    def test_a_new_icon_replaces_the_old_copy(self):
        old = self.serve_picture("/avatars/old.png", png())
        self.fake.serve_actor(icon={"url": old})
        comment = self.note(1)
        assert comment is not None
        self.approve(comment)
        new = self.serve_picture("/avatars/new.png", png(colour=(0, 90, 200)))
        self.fake.serve_actor(icon={"url": new})
        self.note(1, kind="Update")
        comment.refresh_from_db()
        self.assert_shows_copy(comment, new)
        self.assertFalse(default_storage.exists(avatars.file_name(old)))


@override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True)
class WebmentionAvatarTest(AvatarTestCase):
    REPLY = """<!doctype html><title>Re: Tides</title>
    <article class="h-entry">
      <div class="p-author h-card">
        <img class="u-photo" src="{photo}" alt="Erin on a beach">
        <a class="p-name u-url" href="https://erin.example/">Erin Eastwood</a>
      </div>
      <p>In reply to <a class="u-in-reply-to" href="{target}">this post</a>.</p>
      <div class="e-content">Quite right about the tides.</div>
    </article>"""

    def test_it_shows_a_local_copy_of_the_h_card_photo(self):
        photo = self.serve_picture("/me/erin.png", png(120, 400))
        # A relative address, resolved against the source page.
        html = self.REPLY.format(photo="../me/erin.png", target=self.post_url)
        source = self.site.put("/notes/reply", html)
        self.client.post(
            reverse("webmentions:endpoint"), {"source": source, "target": self.post_url}
        )
        comment = Comment.objects.get()
        self.assertEqual(comment.author_name, "Erin Eastwood")
        self.approve(comment)
        self.assert_shows_copy(comment, photo)


@override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True)
class FetchingTest(AvatarTestCase):
    def assert_badge(self, comment: Comment) -> None:
        self.assertEqual(comment.avatar, "")
        html = self.page()
        self.assertIn('<span class="avatar avatar-', html)
        self.assertNotIn('<img class="avatar"', html)
        self.assertNotIn(comment.avatar_url, html)

    def test_what_is_not_a_usable_picture_leaves_the_badge(self):
        too_big = b"\x89PNG\r\n\x1a\n" + b"\0" * avatars.MAX_BYTES
        cases = {
            "a web page": self.site.put("/not-a-picture", "<p>Hello</p>"),
            "too large": self.serve_picture("/huge.png", too_big),
            "a bomb": self.serve_picture("/bomb.png", png_header(30_000, 30_000)),
            "damaged": self.serve_picture("/cut.png", png()[:60]),
            "missing": self.site.url + "/no-such-picture.png",
            "a private address": "http://10.20.30.40/me.png",
        }
        for reason, url in cases.items():
            with self.subTest(reason):
                comment = self.comment(url)
                self.assert_badge(comment)
                self.assertFalse(default_storage.exists(avatars.file_name(url)))

    def test_the_cached_page_shows_the_copy_once_it_is_made(self):
        url = self.site.url + "/later.png"  # not there yet: the fetch fails
        comment = self.comment(url)
        self.assert_badge(comment)  # and the page is cached so
        self.serve_picture("/later.png", png())
        with committed():
            tasks.fetch_avatar.enqueue(url)
        comment.refresh_from_db()
        self.assert_shows_copy(comment, url)

    def test_one_address_is_fetched_once_for_every_comment_naming_it(self):
        url = self.serve_picture("/shared.png", png())
        with mock.patch.object(fetch, "get", wraps=fetch.get) as get:
            first = self.comment(url)
            second = self.comment(url, name="Ana again")
        self.assertEqual([c.args[0] for c in get.call_args_list], [url])
        self.assertEqual(first.avatar, second.avatar)
        self.assertEqual(first.avatar, avatars.file_name(url))

    def test_a_week_old_copy_is_fetched_again(self):
        url = self.serve_picture("/shared.png", png())
        self.comment(url)
        week_ago = avatars.timezone.now() - avatars.FRESH_FOR
        with (
            mock.patch.object(fetch, "get", wraps=fetch.get) as get,
            mock.patch.object(
                default_storage, "get_modified_time", return_value=week_ago
            ),
        ):
            comment = self.comment(url, name="Ana later")
        self.assertEqual(get.call_count, 1)
        self.assertEqual(comment.avatar, avatars.file_name(url))

    def test_spam_is_not_fetched_for(self):
        url = self.serve_picture("/spam.png", png())
        draft = CommentDraft(name="Spammer", body="Buy.", avatar_url=url)
        draft.spam_signs = ["honeypot"]
        with mock.patch.object(fetch, "get", wraps=fetch.get) as get, committed():
            comment = receive_comment(self.post, draft, Source.FORM)
        self.assertEqual(comment.status, Comment.Status.SPAM)
        get.assert_not_called()


@override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True)
class ForgettingTest(AvatarTestCase):
    def test_erasing_the_last_comment_showing_a_copy_deletes_it(self):
        shared = self.serve_picture("/shared.png", png())
        own = self.serve_picture("/own.png", png(colour=(0, 0, 0)))
        first, second = self.comment(shared), self.comment(shared, name="Ana 2")
        alone = self.comment(own, name="Bo")
        with committed():
            moderation.erase([alone, first])
        self.assertFalse(default_storage.exists(alone.avatar))
        self.assertTrue(default_storage.exists(second.avatar))  # still shown
        with committed():
            moderation.erase([second])
        self.assertFalse(default_storage.exists(second.avatar))

    def test_the_daily_sweep_deletes_copies_no_comment_names(self):
        kept = self.comment(self.serve_picture("/kept.png", png()))
        gone = self.comment(self.serve_picture("/gone.png", png()), name="Bo")
        # Deleted without moderation, as a post purged from the trash takes
        # its comments along.
        Comment.objects.filter(pk=gone.pk).delete()
        self.assertEqual(tasks.delete_unused_avatars(), 1)
        self.assertFalse(default_storage.exists(gone.avatar))
        self.assertTrue(default_storage.exists(kept.avatar))
