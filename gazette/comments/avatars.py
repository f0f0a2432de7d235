"""Pictures of commenters from elsewhere, kept as small local copies.

A reply from the fediverse names its author's icon, and a webmention's h-card
may carry a photo. Showing those addresses in a page would make every reader's
browser ask the other site for them, telling it who reads what and when: a
reader who opens a page here should contact no other site. So the server
fetches each picture once, in the task worker (`tasks.fetch_avatar`),
through `gazette.lib.fetch` (public addresses only, a size cap, time limits),
checks that it is a real picture with the same structural limits as uploads
(`gazette.images.budget`, which refuses decompression bombs before decoding),
and stores a 96-pixel square WebP under `avatars/`, named by a hash of the
address: one file per address, shared by every comment that names it and not
fetched again for a week. Pages show that copy, or the initials badge when
there is none (a failed fetch is just that: no picture).

Once no comment shows a copy any more (its comments erased), the file goes
(`forget_unused`, and a daily sweep, `forget_orphans`, for comments that left
another way): it is the commenter's personal data.
"""

import hashlib
import io
import logging
import struct
import warnings
from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageOps

from gazette.comments import effects
from gazette.comments.models import Comment
from gazette.images import budget
from gazette.lib import fetch

logger = logging.getLogger(__name__)

FOLDER = "avatars"
SIZE = 96  # pixels a side: sharp at the badge's 2rem on screens of 3x density
MAX_BYTES = 1024 * 1024
FRESH_FOR = timedelta(days=7)


class Unusable(Exception):
    """The address gave no picture that can be shown; the message says why."""


def file_name(url: str) -> str:
    """The local copy's name for the picture at `url`."""
    return f"{FOLDER}/{hashlib.sha256(url.encode()).hexdigest()}.webp"


def store(url: str) -> str:
    """Make or refresh the local copy of the picture at `url` and show it on
    every comment that names it. Returns the copy's name, or "" when there is
    none (the fetch or the picture failed, and no earlier copy is kept).
    Reaches the network unless a copy younger than FRESH_FOR exists."""
    name = file_name(url)
    if not _is_fresh(name):
        try:
            picture = square_picture(_download(url))
        except Unusable as error:
            logger.info("No avatar from %s: %s", url, error)
            if not default_storage.exists(name):
                return ""
            # An older copy stays: the picture was fine a while ago.
        else:
            _save(name, picture)
    _show(url, name)
    return name


def square_picture(data: bytes) -> bytes:
    """`data` (JPEG, PNG, WebP or GIF) cropped to its centre square and shrunk
    to SIZE pixels, as WebP; the first frame of an animation. Raises Unusable."""
    try:
        with warnings.catch_warnings():
            # A header past Pillow's own pixel limit: the budget refuses it.
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            work = budget.read_work(data)
            formats = [work.image_format, "MPO"]
            with PILImage.open(io.BytesIO(data), formats=formats) as opened:
                # A JPEG decodes at 1/2 to 1/8 of its size when that still
                # covers SIZE: a phone photo costs a few milliseconds.
                opened.draft(None, (SIZE, SIZE))
                picture = ImageOps.exif_transpose(opened).convert("RGBA")
    except ValidationError as error:
        raise Unusable(" ".join(error.messages)) from error
    except (
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        struct.error,
        PILImage.DecompressionBombError,
    ) as error:
        raise Unusable(budget.DAMAGED) from error
    square = ImageOps.fit(picture, (SIZE, SIZE), PILImage.Resampling.LANCZOS)
    out = io.BytesIO()
    square.save(out, format="WEBP", quality=85)
    return out.getvalue()


def forget_unused(names: Iterable[str]) -> list[str]:
    """Delete the copies among `names` that no comment shows any more; returns
    those deleted."""
    names = {n for n in names if n.startswith(FOLDER + "/")}
    used = set(
        Comment.objects.filter(avatar__in=names).values_list("avatar", flat=True)
    )
    gone = sorted(names - used)
    for name in gone:
        default_storage.delete(name)
    return gone


def forget_orphans() -> list[str]:
    """Delete the copies no comment names, whatever removed their comments (a
    post deleted for good takes its comments along without moderation);
    returns those deleted. A copy being made for a comment that names its
    address is kept."""
    try:
        _, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return []
    named = Comment.objects.exclude(avatar_url="").values_list("avatar_url", flat=True)
    kept = {file_name(url) for url in named.distinct().iterator()}
    gone = sorted(f"{FOLDER}/{f}" for f in files if f"{FOLDER}/{f}" not in kept)
    for name in gone:
        default_storage.delete(name)
    return gone


def _is_fresh(name: str) -> bool:
    if not default_storage.exists(name):
        return False
    try:
        made_at = default_storage.get_modified_time(name)
    except NotImplementedError:  # a storage that cannot tell: fetched again
        return False
    return timezone.now() - made_at < FRESH_FOR


def _download(url: str) -> bytes:
    headers = {"Accept": "image/webp, image/png, image/jpeg, image/gif;q=0.8"}
    try:
        answer = fetch.get(url, max_bytes=MAX_BYTES, headers=headers)
    except fetch.FetchError as error:
        raise Unusable(str(error)) from error
    if answer.status != 200:
        raise Unusable(f"the address answered {answer.status}")
    return answer.body


def _save(name: str, picture: bytes) -> None:
    """Replace the copy at `name`. Storages pick another name for a file that
    exists, so the old copy goes first; should a worker fetching the same
    address have saved one in between, its copy is as good and stays."""
    default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(picture))
    if saved != name:
        default_storage.delete(saved)


def _show(url: str, name: str) -> None:
    """Point every comment naming `url` at the copy `name`, and let the pages
    showing them follow. Comments that showed another copy leave it unused."""
    changing = Comment.objects.filter(avatar_url=url).exclude(avatar=name)
    with transaction.atomic():
        rows = list(changing.values_list("pk", "post_id", "avatar"))
        if not rows:
            return
        Comment.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(avatar=name)
        effects.avatars_stored({post_id for _, post_id, _ in rows})
        replaced = {old for _, _, old in rows if old}
        if replaced:
            transaction.on_commit(lambda: forget_unused(replaced))
