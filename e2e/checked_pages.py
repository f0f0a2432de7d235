"""The pages the browser checks visit: every kind of HTML page Gazette serves,
the reader's in each built-in theme and the desk's once.

test_html_validity.py (the Nu HTML checker) and test_accessibility.py (axe-core)
both take this tour, so that the two checks always cover the same pages, and
a new theme, a new kind of page or a new desk screen added here is checked by
both. Feeds and sitemaps are XML and are checked elsewhere; Django's admin is
Django's own and is left out.
"""

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO, StringIO
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from PIL import Image as PILImage
from PIL import ImageDraw
from playwright.sync_api import Page, Response

from gazette.comments import avatars, reactions
from gazette.demo.pictures import hills_at_dawn
from gazette.federation import documents
from gazette.federation.models import BlockedActor, FollowRequest
from gazette.images.storing import add_image
from gazette.posts.models import Post
from gazette.site import roles
from gazette.site.models import ListingStyle, SiteSettings, Theme
from gazette.site.writing import write_site_settings
from gazette.test import add_comment

# Where scripts/validators/fetch unpacks them, in the checkout (not GAZETTE_VAR_DIR).
VALIDATORS = Path(__file__).resolve().parent.parent / "var" / "validators"
# Any Java 11 or newer runs the checker; Debian's is the default.
JAVA = shutil.which("java") or "/usr/bin/java"

# How many kinds of reader's page and of desk page the tour opens: a check that
# saw fewer did not see them all.
READER_PAGE_KINDS = 11
DESK_PAGE_KINDS = 10


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
    add_fediverse_rows(post)
    add_remote_reply(post)
    # The browser tests empty the database between tests, groups included.
    admins, _ = Group.objects.get_or_create(name=roles.ADMINS)
    admin = get_user_model().objects.create_user(
        "alice", "alice@example.org", first_name="Alice", last_name="Ames"
    )
    admin.groups.add(admins)
    client = Client()
    client.force_login(admin)
    return Blog(post, client.cookies[settings.SESSION_COOKIE_NAME].value)


def add_remote_reply(post: Post) -> None:
    """A reply from the fediverse, shown with its author's picture (the local
    copy the worker would have made) and a link to where it was written."""
    address = "https://social.example/media/ana.png"
    picture = BytesIO()
    PILImage.new("RGB", (96, 96), (40, 90, 140)).save(picture, "WEBP")
    name = default_storage.save(
        avatars.file_name(address), ContentFile(picture.getvalue())
    )
    add_comment(
        post,
        "Ana Alves",
        "We came down the south path in March: dry all the way.",
        author_url="https://social.example/@ana",
        source="federation",
        source_url="https://social.example/@ana/1",
        avatar_url=address,
        avatar=name,
        user_agent="ActivityPub",
    )


def add_fediverse_rows(post: Post) -> None:
    """What the desk's Fediverse screen lists only when there is some: a
    follow request waiting, a blocked account and a like from the fediverse."""
    blog = documents.load_actor("http://blog.example")
    assert blog is not None
    ana = "https://social.example/users/ana"
    follow = {
        "id": ana + "#follows/1",
        "type": "Follow",
        "actor": ana,
        "object": documents.actor_id(blog),
    }
    FollowRequest.objects.create(
        actor_id=ana, followed=blog, activity=follow, name="Ana Alves"
    )
    BlockedActor.objects.create(actor_id="https://spam.example/users/bulk")
    reactions.record(
        post.pk,
        "like",
        f"federation:Like:{post.pk}:{ana}",
        source="federation",
        name="Ana Alves",
        url="https://social.example/@ana",
    )


def _logo_png() -> bytes:
    """A round mark on a transparent ground, twice as wide as high."""
    mark = PILImage.new("RGBA", (240, 120), (0, 0, 0, 0))
    ImageDraw.Draw(mark).ellipse((70, 0, 190, 120), fill=(29, 92, 143, 255))
    data = BytesIO()
    mark.save(data, format="PNG")
    return data.getvalue()


def dress_blog() -> None:
    """Give the blog a logo and a header picture, as Settings would, so that
    every page is checked with them."""
    site = SiteSettings.load()
    site.header_image = add_image(ContentFile(hills_at_dawn(1600, 500), "header.jpg"))
    site.logo = add_image(ContentFile(_logo_png(), "logo.png"))
    write_site_settings(site)


def use_listing_style(style: str) -> None:
    site = SiteSettings.load()
    site.listing_style = style
    write_site_settings(site)


def use_theme(theme: str) -> None:
    """Switch the blog to `theme` as the desk's Settings screen does, so that
    cached pages move on to the new look."""
    site = SiteSettings.load()
    site.theme = theme
    # The live server's tests run in autocommit: the page-cache bump that
    # write_site_settings defers to the commit happens at once.
    write_site_settings(site)


# Called with each page's name and the server's response, once the browser has
# loaded it.
Visitor = Callable[[str, Response], None]


def _opener(page: Page, base_url: str, visit: Visitor) -> Callable[[str, str], None]:
    def open_page(name: str, path: str) -> None:
        response = page.goto(base_url + path)
        assert response is not None, f"{name}: no response for {path}"
        assert response.status < 500, f"{name}: {path} answered {response.status}"
        visit(name, response)

    return open_page


def tour_reader_pages(page: Page, base_url: str, blog: Blog, visit: Visitor) -> None:
    """Open every kind of page a reader sees, in the blog's current theme."""
    open_page = _opener(page, base_url, visit)
    post_path = blog.post.get_absolute_url()
    year, month = post_path.strip("/").split("/")[:2]
    open_page("home", "/")
    use_listing_style(ListingStyle.WHOLE)
    open_page("home with whole posts", "/")
    use_listing_style(ListingStyle.EXCERPTS)
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


def tour_desk_pages(page: Page, base_url: str, blog: Blog, visit: Visitor) -> None:
    """Open the desk's sign-in page, then sign in as an admin and open every
    desk screen. The desk has one look whatever the theme."""
    open_page = _opener(page, base_url, visit)
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
    open_page("desk fediverse", "/desk/fediverse/")


def tour(page: Page, base_url: str, blog: Blog, visit: Visitor) -> None:
    """Open every reader's page in every built-in theme, then every desk page
    once, and call `visit` on each.

    A reader's page is named with its theme ("magazine: home"). Each one is
    checked to be in the theme it is named for, so that a check never passes on
    a page the theme switch did not reach (a stale cached page, say)."""
    dress_blog()
    for theme in Theme.values:
        use_theme(theme)

        def visit_in_theme(name: str, response: Response, theme: str = theme) -> None:
            body_class = page.evaluate("document.body.className")
            assert f"theme-{theme}" in body_class.split(), (
                f"{theme}: {name} ({response.url}) is not in the {theme} theme; "
                f"its body's class is {body_class!r}"
            )
            # And with the pictures dress_blog gave it, loaded.
            for picture in (".header-image", ".site-logo"):
                loaded = page.locator(picture).evaluate(
                    "img => img.complete && img.naturalWidth > 0"
                )
                assert loaded, f"{theme}: {name} shows no {picture}"
            visit(f"{theme}: {name}", response)

        tour_reader_pages(page, base_url, blog, visit_in_theme)
    tour_desk_pages(page, base_url, blog, visit)


# The pages `tour` opens in all.
PAGE_COUNT = READER_PAGE_KINDS * len(Theme.values) + DESK_PAGE_KINDS
