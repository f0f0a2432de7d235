import io
from unittest import mock

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image as PILImage

from gazette.images.models import Image
from gazette.images.storing import add_image
from gazette.images.tasks import make_image_renditions
from gazette.posts.writing import write_image
from gazette.test import BaseTestCase, committed

DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}


def picture(width: int, height: int, fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (120, 80, 40)).save(buffer, fmt)
    return buffer.getvalue()


def image_folder() -> str:
    return timezone.now().strftime("images/%Y/%m/")


def added(data: bytes, name: str, **fields) -> Image:
    """An image added as the desk adds it; the test task backend makes its
    renditions at once, so they are read back."""
    image = add_image(ContentFile(data, name=name), **fields)
    image.refresh_from_db()
    return image


class RenditionTest(BaseTestCase):
    def test_it_makes_narrower_copies_in_the_original_format_and_webp(self):
        image = added(picture(2000, 1000), "wide.jpg", alt_text="x")
        self.assertEqual((image.width, image.height), (2000, 1000))
        made = {(r["width"], r["format"]) for r in image.renditions}
        self.assertEqual(
            made,
            {(w, f) for w in (480, 960, 1600) for f in ("jpeg", "webp")},
        )
        for rendition in image.renditions:
            with default_storage.open(rendition["name"]) as f, PILImage.open(f) as copy:
                self.assertEqual(copy.width, rendition["width"])
                self.assertEqual(copy.height, rendition["width"] // 2)
        self.assertIn("960w", image.srcset())
        self.assertNotIn(".webp", image.srcset())
        self.assertIn(".webp 480w", image.srcset("webp"))

    def test_a_small_image_is_never_enlarged(self):
        image = added(picture(300, 200, "PNG"), "small.png")
        self.assertEqual(
            {(r["width"], r["format"]) for r in image.renditions},
            {(300, "png"), (300, "webp")},
        )

    def test_markdown_for_the_image_is_a_captioned_figure(self):
        image = added(
            picture(1000, 500),
            "kite.jpg",
            alt_text="A kite [flying]",
            caption='The "red" kite',
        )
        self.assertEqual(
            image.markdown(),
            f'![A kite \\[flying\\]]({image.file.url} "The \\"red\\" kite")',
        )
        post = self.make_post(body=image.markdown())
        self.assertIn('<figcaption>The "red" kite</figcaption>', post.body_html)
        self.assertIn('width="1000" height="500"', post.body_html)
        self.assertInHTML(
            f'<source type="image/webp" srcset="{image.srcset("webp")}" '
            'sizes="(max-width: 760px) 100vw, 720px">',
            post.body_html,
        )

    def test_a_very_wide_picture_gets_renditions_one_pixel_high(self):
        image = added(picture(5000, 1, "PNG"), "line.png")
        self.assertTrue(image.renditions)
        self.assertTrue(all(r["width"] <= 1600 for r in image.renditions))

    def test_a_failed_save_leaves_no_file_behind(self):
        with (
            mock.patch(
                "gazette.images.storing.queue_renditions", side_effect=ValueError("x")
            ),
            self.assertRaises(ValueError),
        ):
            add_image(ContentFile(picture(800, 600), name="lost.jpg"))
        self.assertFalse(default_storage.exists(image_folder() + "lost.jpg"))
        self.assertFalse(Image.objects.exists())

    def test_failed_renditions_leave_the_original_and_no_partial_copies(self):
        real_save = PILImage.Image.save
        calls = []

        def save_then_fail(picture, fp, *args, **kwargs):
            calls.append(args)
            if len(calls) == 3:
                raise OSError("disk full")
            return real_save(picture, fp, *args, **kwargs)

        with mock.patch.object(PILImage.Image, "save", save_then_fail):
            image = added(picture(2000, 1000), "half.jpg")
        self.assertEqual(len(calls), 3)  # two copies were written, then removed
        self.assertEqual(image.renditions, [])
        self.assertTrue(default_storage.exists(str(image.file.name)))
        left = default_storage.listdir("images/renditions")[1]
        self.assertEqual([name for name in left if name.startswith("half")], [])


@override_settings(TASKS=DATABASE_QUEUE)
class BackgroundRenditionTest(BaseTestCase):
    """Renditions are the worker's job: the upload only queues them, pages show
    the original until they exist, and then the pages showing it change."""

    def run_queued_renditions(self) -> None:
        for queued in DBTaskResult.objects.filter(finished_at__isnull=True):
            self.assertEqual(queued.task_path, make_image_renditions.module_path)
            with committed():
                make_image_renditions.call(*queued.args_kwargs["args"])
            queued.delete()

    def test_the_upload_queues_renditions_and_pages_show_them_once_made(self):
        with mock.patch("gazette.images.tasks.make_renditions") as made_inline:
            with committed():
                image = add_image(ContentFile(picture(2000, 1000), name="ridge.jpg"))
        made_inline.assert_not_called()
        image.refresh_from_db()
        self.assertEqual(image.renditions, [])
        post = self.make_post(body=image.markdown())
        before = self.client.get(post.get_absolute_url())
        self.assertContains(before, f'src="{image.file.url}"')
        self.assertNotContains(before, "srcset=")
        cached = self.client.get(post.get_absolute_url())
        self.assertEqual(cached.headers.get("X-Gazette-Cache"), "hit")

        self.run_queued_renditions()

        image.refresh_from_db()
        self.assertEqual(len(image.renditions), 6)
        after = self.client.get(post.get_absolute_url())
        self.assertContains(after, image.srcset())
        self.assertContains(after, image.srcset("webp"))
        post.refresh_from_db()
        self.assertEqual(post.revisions.count(), 0)  # nobody changed the text

    def test_a_replaced_file_drops_the_old_copies_and_queues_new_ones(self):
        with committed():
            image = add_image(ContentFile(picture(2000, 1000), name="first.jpg"))
        self.run_queued_renditions()
        image.refresh_from_db()
        old_copies = [r["name"] for r in image.renditions]
        self.assertTrue(old_copies)

        image.file = ContentFile(picture(1200, 1200), name="second.jpg")
        with committed():
            write_image(image)
        image.refresh_from_db()
        self.assertEqual(image.renditions, [])  # no copies of the old picture
        self.assertFalse(any(default_storage.exists(n) for n in old_copies))
        self.run_queued_renditions()
        image.refresh_from_db()
        self.assertEqual(
            {(r["width"], r["format"]) for r in image.renditions},
            {(w, f) for w in (480, 960) for f in ("jpeg", "webp")},
        )

    def test_a_task_for_a_file_since_replaced_or_deleted_does_nothing(self):
        with committed():
            image = add_image(ContentFile(picture(900, 600), name="old.jpg"))
            gone = add_image(ContentFile(picture(900, 600), name="gone.jpg"))
        other = default_storage.save("images/other.jpg", ContentFile(picture(9, 9)))
        Image.objects.filter(pk=image.pk).update(file=other)
        gone.delete()
        self.run_queued_renditions()
        image.refresh_from_db()
        self.assertEqual(image.renditions, [])
