import io
import struct
import zlib
from unittest import mock

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings
from PIL import ExifTags, GifImagePlugin, ImageFile
from PIL import Image as PILImage

from gazette.images.models import Image
from gazette.images.uploads import clean_upload
from gazette.test import BaseTestCase


def picture(width: int, height: int, fmt: str = "JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (120, 80, 40)).save(buffer, fmt, **options)
    return buffer.getvalue()


def photo_with_location() -> bytes:
    """A JPEG as phones write them: turned by an EXIF tag, with a GPS position."""
    exif = PILImage.Exif()
    exif[ExifTags.Base.Orientation] = 6  # shown turned 90° clockwise
    exif[ExifTags.Base.Make] = "Pocket camera"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (51.0, 28.0, 40.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (3.0, 10.0, 5.0),
    }
    return picture(40, 20, exif=exif.tobytes())


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` × `height` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def flat_png(width: int, height: int) -> bytes:
    """A real, valid grey PNG of `width` × `height`, compressed row by row."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    packer = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def frame_bomb(width: int, height: int, frames: int) -> bytes:
    """A GIF declaring a `width` × `height` canvas with `frames` frames of one
    pixel each: a few bytes a frame, a whole canvas of work each to re-encode."""
    screen = struct.pack("<HHBBB", width, height, 0x80, 0, 0)
    # LZW data for one pixel: clear, colour 0 (black) or 1 (white), end.
    black, white = b"\x02\x02\x44\x01\x00", b"\x02\x02\x4c\x01\x00"
    one_pixel = [
        b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # a tenth of a second each
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, 1, 1, 0)
        + (white if n % 2 else black)
        for n in range(frames)
    ]
    palette = b"\x00\x00\x00\xff\xff\xff"
    return b"GIF89a" + screen + palette + b"".join(one_pixel) + b";"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


class UploadCheckTest(SimpleTestCase):
    def assertRefused(self, file, reason: str):
        with self.assertRaises(ValidationError) as caught:
            clean_upload(file)
        self.assertIn(reason, caught.exception.messages[0])

    def test_it_removes_location_and_camera_metadata_and_turns_the_photo_upright(self):
        original = photo_with_location()
        with PILImage.open(io.BytesIO(original)) as before:
            self.assertTrue(before.getexif().get_ifd(ExifTags.IFD.GPSInfo))
        cleaned = clean_upload(upload("IMG_0001.JPG", original))
        self.assertEqual(cleaned.name, "img_0001.jpg")
        with PILImage.open(cleaned) as after:
            self.assertEqual(after.format, "JPEG")
            self.assertEqual(after.size, (20, 40))
            self.assertEqual(dict(after.getexif()), {})
            self.assertNotIn("exif", after.info)
        self.assertNotIn(b"Pocket camera", cleaned.read())

    def test_it_names_a_file_by_what_it_is(self):
        cleaned = clean_upload(upload("holiday.jpg", picture(30, 30, "PNG")))
        self.assertEqual(cleaned.name, "holiday.png")
        cleaned = clean_upload(upload("???.gif", picture(30, 30, "WEBP")))
        self.assertEqual(cleaned.name, "image.webp")

    def test_it_keeps_the_frames_of_an_animation(self):
        frames = [PILImage.new("RGB", (10, 10), c) for c in ("red", "green", "blue")]
        buffer = io.BytesIO()
        frames[0].save(
            buffer, "GIF", save_all=True, append_images=frames[1:], comment=b"hi"
        )
        cleaned = clean_upload(upload("moving.gif", buffer.getvalue()))
        with PILImage.open(cleaned) as after:
            assert isinstance(after, GifImagePlugin.GifImageFile)
            self.assertEqual(after.n_frames, 3)
            self.assertNotIn("comment", after.info)

    def test_it_refuses_a_renamed_text_file(self):
        self.assertRefused(
            upload("notes.jpg", b"Shopping: bread, milk, eggs\n" * 20),
            "not a JPEG, PNG, WebP or GIF picture",
        )

    def test_it_refuses_pictures_in_other_formats(self):
        self.assertRefused(
            upload("scan.png", picture(20, 20, "BMP")), "not a JPEG, PNG, WebP or GIF"
        )

    def test_it_refuses_a_decompression_bomb(self):
        # Small enough for Pillow's own limit, too big for Gazette's.
        self.assertRefused(
            upload("bomb.png", png_declaring(8000, 8000)), "8000 × 8000 pixels"
        )
        # Far past Pillow's own limit: Pillow refuses it as it opens.
        self.assertRefused(
            upload("bomb.png", png_declaring(100_000, 100_000)),
            "more pixels than Gazette accepts",
        )

    def test_it_refuses_a_damaged_picture(self):
        self.assertRefused(
            upload("cut.jpg", picture(200, 200)[:300]), "damaged and cannot be read"
        )

    @override_settings(GAZETTE_MAX_UPLOAD_MB=1)
    def test_it_refuses_a_file_over_the_size_limit(self):
        huge = upload("huge.jpg", picture(10, 10) + b"\x00" * (1024 * 1024))
        self.assertRefused(huge, "This file is 1.0 MB; pictures may be up to 1 MB.")


class WorkBudgetTest(SimpleTestCase):
    """The work an upload asks for is read from its header and bounded before a
    pixel is decoded (issue 10: a 28 KB GIF took a worker for 30 s)."""

    def refusal(self, data: bytes, name: str) -> tuple[str, int]:
        """The reason `data` is refused, and how many times Pillow decoded."""
        real_load = ImageFile.ImageFile.load
        decoded = []

        def counting_load(picture):
            decoded.append(picture.size)
            return real_load(picture)

        with (
            mock.patch.object(ImageFile.ImageFile, "load", counting_load),
            self.assertRaises(ValidationError) as caught,
        ):
            clean_upload(upload(name, data))
        return caught.exception.messages[0], len(decoded)

    def test_the_frame_bomb_is_refused_from_its_header(self):
        data = frame_bomb(6000, 6000, 50)
        self.assertLess(len(data), 2_000)
        reason, decoded = self.refusal(data, "bomb.gif")
        self.assertEqual(
            reason,
            "This animation has 50 frames of 6000 × 6000 pixels (1,800 megapixels "
            "in all); an animated GIF may have up to 20 megapixels in all its "
            "frames together. Make it smaller or shorter.",
        )
        self.assertEqual(decoded, 0)

    def test_frames_reaching_past_a_small_canvas_count_at_their_size(self):
        # Pillow enlarges the canvas to hold a frame placed outside it.
        data = frame_bomb(1, 1, 50).replace(
            struct.pack("<HHHH", 0, 0, 1, 1), struct.pack("<HHHH", 5999, 5999, 1, 1)
        )
        reason, decoded = self.refusal(data, "far.gif")
        self.assertIn("50 frames of 6000 × 6000 pixels", reason)
        self.assertEqual(decoded, 0)

    def test_a_39_megapixel_png_is_refused_before_it_is_decoded(self):
        reason, decoded = self.refusal(flat_png(7300, 5440), "poster.png")
        self.assertEqual(
            reason,
            "This PNG picture is 7300 × 5440 pixels (39.7 megapixels); a PNG may "
            "have up to 16 megapixels. Make it smaller, or save it as a JPEG.",
        )
        self.assertEqual(decoded, 0)

    def test_too_many_frames_are_refused_without_counting_them_all(self):
        reason, decoded = self.refusal(frame_bomb(2, 2, 5_000), "long.gif")
        self.assertEqual(
            reason,
            "This animation has more than 500 frames; Gazette accepts up to 500 "
            "frames.",
        )
        self.assertEqual(decoded, 0)

    def test_an_animation_within_the_budget_is_kept_whole(self):
        cleaned = clean_upload(upload("small.gif", frame_bomb(400, 300, 50)))
        with PILImage.open(cleaned) as after:
            self.assertEqual(
                (after.size, getattr(after, "n_frames", 1)), ((400, 300), 50)
            )


class DeskUploadTest(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.bob)

    def test_the_editor_uploads_and_gets_a_captioned_figure(self):
        data = {
            "file": upload("ridge.jpg", photo_with_location()),
            "alt_text": "A ridge at dawn",
            "caption": "First light",
            "credit": "Bob",
        }
        response = self.client.post(
            "/desk/images/", data, headers={"accept": "application/json"}
        )
        self.assertEqual(response.status_code, 201)
        image = Image.objects.get()
        self.assertEqual(
            response.json()["markdown"],
            f'![A ridge at dawn]({image.file.url} "First light")',
        )
        self.assertEqual((image.uploaded_by, image.width), (self.bob, 20))
        self.assertTrue(image.renditions)

    def test_a_refused_upload_is_a_form_error_not_a_server_error(self):
        data = {"file": upload("notes.jpg", b"plain text"), "caption": "Kept caption"}
        response = self.client.post(
            "/desk/images/", data, headers={"accept": "application/json"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("not a JPEG", response.json()["errors"]["file"][0])
        data["file"] = upload("bomb.png", png_declaring(100_000, 100_000))
        response = self.client.post("/desk/images/", data)
        self.assertContains(response, "more pixels than Gazette", status_code=400)
        self.assertContains(response, "Kept caption", status_code=400)
        self.assertFalse(Image.objects.exists())


class CommentSegmentTest(BaseTestCase):
    """A JPEG's comment segment (COM) is metadata too: it may name a camera owner
    or carry anything at all. Neither the stored file nor a rendition keeps it."""

    def test_no_stored_file_keeps_a_jpeg_comment(self):
        from django.core.files.storage import default_storage

        from gazette.images.storing import add_image

        secret = b"Taken by R. Hale at 14 Quay Lane"
        data = picture(1000, 600, comment=secret)
        self.assertIn(secret, data)
        image = add_image(clean_upload(upload("quay.jpg", data)), alt_text="Quay")
        image.refresh_from_db()  # the test task backend has made the renditions
        stored = [image.file.name, *(r["name"] for r in image.renditions)]
        self.assertGreater(len(stored), 2)
        for name in stored:
            with self.subTest(name=name), default_storage.open(name) as file:
                self.assertNotIn(secret, file.read())
