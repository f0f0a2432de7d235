"""The README's screenshots: every built-in reading theme, on a desktop and a
phone, taken from the demo blog served by the production server.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

The blog lives in a temporary GAZETTE_VAR_DIR (never the developer's var/),
made as `make run` makes one: migrated, static files collected, the demo blog
written and its pictures' renditions made by the task worker. The server is
`gazette serve`'s own command line, started the way bench/ starts it, and the
pages are shot by Debian's Chromium driven by Playwright, as in e2e/.

The theme is changed through `write_site_settings`, as the desk changes it:
the server is another process, sharing the SQLite file and the file cache, so
each page is checked to carry the theme on <body> before it is shot.
"""

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
# Run as a file, the script sees scripts/ on its path, not the project.
sys.path.insert(0, str(ROOT))

from bench import serving  # noqa: E402

# The demo post with a picture and a thread of comments.
POST_SLUG = "ridge-walk"
# Production settings, with the demo app that `gazette demo` needs.
SETTINGS = {"GAZETTE_DEBUG": "0", "GAZETTE_DEMO": "1"}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
# A common phone's size in CSS pixels; twice as many device pixels keeps the
# text sharp, and JPEG keeps the files small.
MOBILE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
JPEG_QUALITY = 80
# What each theme is shown by: (page, device, colour scheme). Dark is shown
# once, on the home page, which has the most of the palette on it.
SHOTS: list[tuple[str, str, Literal["light", "dark"]]] = [
    ("home", "desktop", "light"),
    ("post", "desktop", "light"),
    ("home", "desktop", "dark"),
    ("home", "mobile", "light"),
    ("post", "mobile", "light"),
]
DEVICES = {"desktop": DESKTOP, "mobile": MOBILE}
# Every picture that shows in the viewport has loaded (lazy ones below it
# are not asked for, so they are not waited for).
IMAGES_SHOWN = """() => Array.from(document.images)
    .filter((img) => img.getBoundingClientRect().top < window.innerHeight)
    .every((img) => img.complete)"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "docs" / "screenshots",
        help="Folder for the JPEG files (default: docs/screenshots).",
    )
    out = parser.parse_args().out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gazette-screenshots-") as tmp:
        env = serving.gazette_env(tmp, SETTINGS)
        _use_blog(env)
        print("Making the demo blog...", flush=True)
        for command in (
            ["migrate", "--noinput", "-v0"],
            ["collectstatic", "--noinput", "-v0"],
            ["demo"],
            # The pictures' renditions, so pages offer them as they would live.
            ["worker", "--batch"],
        ):
            serving.gazette(env, *command)
        with _server(env, Path(tmp)) as base:
            made = shoot(base, out)
    for path in made:
        print(f"  {path.relative_to(out.parent)}  {path.stat().st_size // 1024} KB")
    total = sum(path.stat().st_size for path in made)
    print(f"{len(made)} screenshots, {total / 1024:.0f} KB in all.")


def _use_blog(env: dict[str, str]) -> None:
    """Point this process's Django at the temporary blog: the theme is changed
    from here, through the same write function as the desk's."""
    os.environ.clear()
    os.environ.update(env | {"DJANGO_SETTINGS_MODULE": "gazette.settings"})
    # Playwright's sync API runs an event loop, inside which Django refuses
    # database calls unless told they are safe: here, one thread does both.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    import django

    django.setup()


@contextmanager
def _server(env: dict[str, str], var: Path) -> Iterator[str]:
    """The production server on a free port; its base URL once it answers.
    Stopped (workers included) however the block ends."""
    from gazette.site.management.commands.serve import server_command

    port = serving.free_port()
    log = var / "server.log"
    command = server_command("127.0.0.1", port, workers=2, access_log=False)
    server = serving.start(command, env, log)
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            serving.wait_for(base + "/")
        except RuntimeError as error:
            raise RuntimeError(f"{error}:\n{serving.log_tail(log)}") from None
        yield base
    finally:
        serving.stop(server)
        if "Traceback" in serving.log_tail(log):
            print(f"The server logged errors:\n{serving.log_tail(log)}")


def shoot(base: str, out: Path) -> list[Path]:
    """Every theme's SHOTS, named `<theme>-<page>-<device>[-dark].jpg`; the
    files written."""
    from playwright.sync_api import sync_playwright

    from e2e.browser import CHROMIUM, CHROMIUM_ARGS
    from gazette.posts.models import Post
    from gazette.site.models import Theme

    paths = {"home": "/", "post": Post.objects.get(slug=POST_SLUG).get_absolute_url()}
    made = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            for theme in Theme:
                _set_theme(theme)
                print(f"Shooting the {theme.value} theme...", flush=True)
                for page_name, device, scheme in SHOTS:
                    suffix = "-dark" if scheme == "dark" else ""
                    file = out / f"{theme.value}-{page_name}-{device}{suffix}.jpg"
                    # A fresh context for each: nothing kept from the browser's
                    # cache, which may hold a page from before the theme changed.
                    context = browser.new_context(
                        color_scheme=scheme, **DEVICES[device]
                    )
                    try:
                        page = context.new_page()
                        page.set_default_timeout(20_000)
                        _open(page, base + paths[page_name], theme.value)
                        page.screenshot(path=file, type="jpeg", quality=JPEG_QUALITY)
                    finally:
                        context.close()
                    made.append(file)
        finally:
            browser.close()
    return made


def _set_theme(theme: str) -> None:
    """Make `theme` the blog's, following each reader's light or dark system
    setting, so the browser's emulated scheme picks the palette."""
    from django.db import transaction

    from gazette.site.models import ColorScheme, SiteSettings
    from gazette.site.writing import write_site_settings

    with transaction.atomic():
        site = SiteSettings.load()
        site.theme = theme
        site.color_scheme = ColorScheme.AUTO
        write_site_settings(site)


def _open(page: "Page", url: str, theme: str, seconds: float = 15) -> None:
    """Load `url` once it is drawn in `theme`, its pictures and fonts loaded.

    The theme's change is committed, and the settings row and the page cache
    moved on, before the first request; should a server process still answer
    with the old theme, the page is asked for again rather than shot."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url, wait_until="networkidle")
        body_class = page.get_attribute("body", "class") or ""
        if f"theme-{theme}" in body_class.split():
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} still shows {body_class!r}, not theme-{theme}")
        time.sleep(0.5)
    page.wait_for_function(IMAGES_SHOWN)
    page.evaluate("document.fonts.ready")


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as error:
        sys.exit(f"screenshots: {error}")
