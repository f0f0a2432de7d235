"""Every kind of page, reader's and desk's, checked by the Nu HTML checker.

The checker (vnu.jar, fetched by `make validators`) is the one behind
validator.w3.org. The pages are taken from the live server as a browser
receives them, saved in a temporary folder and checked in one run of the
checker: starting Java takes a second or two, so it is never started per page.

The tour of pages lives here and test_accessibility.py takes the same one, so
that both checks always cover the same pages. Feeds and sitemaps are XML and
are checked elsewhere; Django's admin is Django's own and is left out.
"""

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils.text import slugify
from playwright.sync_api import Page, Response

from e2e.browser import BrowserTestCase
from gazette.posts.models import Post
from gazette.site import roles
from gazette.test import add_comment

# Where scripts/validators/fetch unpacks them, in the checkout (not GAZETTE_VAR_DIR).
VALIDATORS = Path(__file__).resolve().parent.parent / "var" / "validators"
# Any Java 11 or newer runs the checker; Debian's is the default.
JAVA = shutil.which("java") or "/usr/bin/java"


def validator_file(name: str) -> Path:
    """A file `make validators` unpacks, or a failure that says how to get it."""
    path = VALIDATORS / name
    if not path.is_file():
        raise AssertionError(
            f"{path} is missing: run `make validators` (scripts/validators/fetch)."
        )
    return path


@dataclass
class Blog:
    """What the tour needs to know of the blog it visits."""

    post: Post
    admin_session: str


def build_blog() -> Blog:
    """The demo blog, plus what some pages only show with data: a comment
    awaiting moderation (the desk's queue) and an admin to sign in as."""
    cache.clear()
    call_command("demo", stdout=StringIO())
    post = Post.objects.get(slug="ridge-walk")
    add_comment(
        post,
        "Sam",
        "Which path did you take down? The *north* one is washed out.",
        status="held",
        author_email="sam@example.net",
    )
    # The browser tests empty the database between tests, groups included.
    admins, _ = Group.objects.get_or_create(name=roles.ADMINS)
    admin = get_user_model().objects.create_user(
        "alice", "alice@example.org", first_name="Alice", last_name="Ames"
    )
    admin.groups.add(admins)
    client = Client()
    client.force_login(admin)
    return Blog(post, client.cookies[settings.SESSION_COOKIE_NAME].value)


# Called with each page's name and the server's response, once the browser has
# loaded it.
Visitor = Callable[[str, Response], None]


def tour(page: Page, base_url: str, blog: Blog, visit: Visitor) -> None:
    """Open every kind of page Gazette serves as HTML, first as a reader, then
    as an admin at the desk, and call `visit` on each."""

    def open_page(name: str, path: str) -> None:
        response = page.goto(base_url + path)
        assert response is not None, f"{name}: no response for {path}"
        assert response.status < 500, f"{name}: {path} answered {response.status}"
        visit(name, response)

    post_path = blog.post.get_absolute_url()
    year, month = post_path.strip("/").split("/")[:2]
    open_page("home", "/")
    open_page("post with comments", post_path)
    open_page("hashtag", "/hashtag/Walking/")
    open_page("archive year", f"/{year}/")
    open_page("archive month", f"/{year}/{month}/")
    open_page("search with results", "/search/?q=ridge")
    open_page("search without results", "/search/?q=xylophone")
    open_page("standalone page", "/p/about/")
    open_page("not found", "/no-such-address/")

    # A comment the form refuses: a name but no text. The browser's own check
    # of required fields is turned off so that the server's answer is seen.
    page.goto(base_url + post_path)
    page.get_by_label("Name").fill("Morag")
    page.locator("form[data-token-url]").evaluate("form => form.noValidate = true")
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="Publish comment").click()
    assert refused.value is not None and refused.value.status == 400
    visit("comment form after a refused comment", refused.value)

    open_page("desk sign-in", "/desk/sign-in/")
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": blog.admin_session,
                "url": base_url,
            }
        ]
    )
    open_page("desk posts", "/desk/")
    open_page("desk editor, new post", "/desk/posts/new/")
    open_page("desk editor, existing post", f"/desk/posts/{blog.post.pk}/")
    open_page("desk comments queue", "/desk/comments/")
    open_page("desk settings", "/desk/settings/")
    open_page("desk people", "/desk/people/")
    open_page("desk account", "/desk/account/")
    open_page("desk import", "/desk/import/")


@dataclass
class NuError:
    page: str
    file: str
    line: int | None
    message: str
    extract: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "whole file"
        extract = " ".join(self.extract.split())[:120]
        return f"{self.file}, {where}: {self.message}" + (
            f"\n      {extract}" if extract else ""
        )


def report(errors: list[NuError]) -> str:
    """The errors grouped by page, for a failing test's message."""
    lines = [f"The Nu HTML checker found {len(errors)} errors:"]
    page = None
    for error in errors:
        if error.page != page:
            page = error.page
            lines.append(f"{page}:")
        lines.append(f"  {error}")
    return "\n".join(lines)


def check_html(files: dict[str, Path]) -> list[NuError]:
    """Run the Nu checker once over the saved pages; its errors, in page order.

    `files` maps each page's name to its saved HTML."""
    vnu = validator_file("vnu.jar")
    # The checker names each file by a file: URL of its own style; its base name is
    # enough to know the page.
    names = {path.name: name for name, path in files.items()}
    checked = subprocess.run(
        [JAVA, "-jar", str(vnu), "--errors-only", "--format", "json", "--stdout"]
        + [str(path) for path in files.values()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    try:
        messages = json.loads(checked.stdout)["messages"]
    except (ValueError, KeyError):
        raise AssertionError(
            f"The Nu checker did not answer in JSON (exit {checked.returncode}):\n"
            f"{checked.stdout[-2000:]}\n{checked.stderr[-2000:]}"
        ) from None
    order = list(files)
    errors = []
    for message in messages:
        # "non-document-error" is the checker failing to read a file: also a failure.
        if message.get("type") not in ("error", "non-document-error"):
            continue
        file = message.get("url", "?").rpartition("/")[2]
        error = NuError(
            names.get(file, file),
            file,
            message.get("lastLine"),
            message.get("message", ""),
            message.get("extract", ""),
        )
        errors.append(error)
    errors.sort(key=lambda e: order.index(e.page) if e.page in order else -1)
    return errors


# Valid but for its missing <title>.
CANARY = '<!doctype html><html lang="en"><body><p>No title.</p></body></html>'


class HtmlValidityTest(BrowserTestCase):
    def test_every_kind_of_page_is_valid_html(self):
        blog = build_blog()
        with tempfile.TemporaryDirectory(prefix="gazette-nu-") as folder:
            files: dict[str, Path] = {}

            def save(name: str, response: Response) -> None:
                path = Path(folder) / f"{len(files):02d}-{slugify(name)}.html"
                path.write_bytes(response.body())
                files[name] = path

            tour(self.page, self.live_server_url, blog, save)
            # A page with a known mistake goes in the same run, as proof that the
            # checker ran and read every file.
            canary = Path(folder) / "canary.html"
            canary.write_text(CANARY)
            errors = check_html(files | {"canary": canary})

        caught = [error for error in errors if error.page == "canary"]
        self.assertEqual(len(caught), 1, report(caught))
        self.assertIn("“title”", caught[0].message)
        errors = [error for error in errors if error.page != "canary"]

        self.assertGreaterEqual(len(files), 19)
        self.assertEqual(len(errors), 0, report(errors))
