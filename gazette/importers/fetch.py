"""Bringing an old blog's pictures home: `--fetch-images`.

Blogger keeps pictures on Google's servers, where they often vanish once the
blog is left. Each picture is downloaded (the largest size offered), checked
like any upload, and kept under GAZETTE_IMPORT_DIR named after its address, so
an interrupted import resumes where it stopped. Several downloads run at once;
each is retried a few times; what could not be fetched is listed, and those
pictures keep their old addresses.

Downloads happen before the import's transaction, so a slow server never holds
the database.
"""

import hashlib
import re
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from gazette.importers.records import Image

WORKERS = 4
TRIES = 3
TIMEOUT = 20  # seconds for one request
_BLOGGER_SIZE_RE = re.compile(r"/(?:s|w|h)\d+(?:-[a-z0-9]+)*(?=/[^/]+$)")
_BLOGGER_SUFFIX_RE = re.compile(r"=(?:s|w|h)\d+(?:-[a-z0-9]+)*$")


def largest_size(url: str) -> str:
    """Blogger's address of the biggest copy of a picture: a size in the path
    ("/s320/photo.jpg", "/w400-h300/photo.jpg") or after "=" becomes s0, the
    original. Other addresses stay as they are."""
    if "googleusercontent.com" not in url and "blogspot.com" not in url:
        return url
    url = _BLOGGER_SIZE_RE.sub("/s0", url, count=1)
    return _BLOGGER_SUFFIX_RE.sub("=s0", url)


@dataclass
class Fetched:
    files: dict[str, Path] = field(default_factory=dict)  # image ref -> file
    failed: list[str] = field(default_factory=list)  # "url: reason"


def fetch_all(images: list[Image], folder: Path, *, workers: int = WORKERS) -> Fetched:
    """Download every picture into `folder` (kept between runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    result = Fetched()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = pool.map(lambda image: _fetch(image, folder), images)
        for image, outcome in zip(images, outcomes, strict=True):
            if isinstance(outcome, Path):
                result.files[image.ref] = outcome
            else:
                result.failed.append(f"{image.url}: {outcome}")
    return result


def _fetch(image: Image, folder: Path) -> Path | str:
    """The downloaded file, or why there is none."""
    target = folder / hashlib.sha256(image.url.encode()).hexdigest()[:32]
    if target.exists() and target.stat().st_size > 0:
        return target  # fetched by an earlier, interrupted run
    if not image.url.startswith(("http://", "https://")):
        return "not a web address"
    limit = settings.GAZETTE_MAX_UPLOAD_MB * 1024 * 1024
    reason = ""
    for attempt in range(TRIES):
        if attempt:
            time.sleep(0.25 * 2**attempt)
        try:
            request = urllib.request.Request(
                image.url, headers={"User-Agent": "Gazette image import"}
            )
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                data = response.read(limit + 1)
            if len(data) > limit:
                return f"larger than {settings.GAZETTE_MAX_UPLOAD_MB} MB"
            partial = target.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(target)
            return target
        except urllib.error.HTTPError as error:
            reason = f"the server answered {error.code}"
            if error.code in (404, 410, 403):
                return reason  # asking again will not help
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = str(getattr(error, "reason", error))
    return reason or "could not be fetched"
