import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from gazette.images.storing import add_image
from gazette.test import BaseTestCase


def picture(width: int, height: int, fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (120, 80, 40)).save(buffer, fmt)
    return buffer.getvalue()


def image_folder() -> str:
    from django.utils import timezone

    return timezone.now().strftime("images/%Y/%m/")


class RenditionTest(BaseTestCase):
    def test_it_makes_narrower_copies_in_the_original_format_and_webp(self):
        image = add_image(
            ContentFile(picture(2000, 1000), name="wide.jpg"), alt_text="x"
        )
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
        image = add_image(ContentFile(picture(300, 200, "PNG"), name="small.png"))
        self.assertEqual(
            {(r["width"], r["format"]) for r in image.renditions},
            {(300, "png"), (300, "webp")},
        )

    def test_markdown_for_the_image_is_a_captioned_figure(self):
        image = add_image(
            ContentFile(picture(1000, 500), name="kite.jpg"),
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
        image = add_image(ContentFile(picture(5000, 1, "PNG"), name="line.png"))
        self.assertTrue(image.renditions)
        self.assertTrue(all(r["width"] <= 1600 for r in image.renditions))

    def test_a_failed_image_leaves_no_file_behind(self):
        from unittest import mock

        with (
            mock.patch(
                "gazette.images.storing.make_renditions", side_effect=ValueError("x")
            ),
            self.assertRaises(ValueError),
        ):
            add_image(ContentFile(picture(800, 600), name="lost.jpg"))
        self.assertFalse(default_storage.exists(image_folder() + "lost.jpg"))
