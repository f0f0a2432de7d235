"""The demo blog that `gazette demo` creates: a walker's and baker's notebook.

Every row carries an `import_ref` starting with "demo:", so running the command
again finds what it made before and adds nothing twice.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from gazette.comments.intake import CommentDraft, Source, receive_comment
from gazette.comments.models import Comment
from gazette.demo import pictures as demo_pictures
from gazette.images.models import Image
from gazette.images.storing import add_image
from gazette.posts.models import Page, Post
from gazette.posts.writing import bulk_writes, write_entry
from gazette.site.models import SiteSettings
from gazette.site.writing import write_site_settings


@dataclass(frozen=True)
class DemoPost:
    key: str
    title: str
    days_ago: int
    hashtags: tuple[str, ...]
    body: str


PICTURES = {
    "hills": (
        demo_pictures.hills_at_dawn,
        "hills-at-dawn.jpg",
        "Four ridges of hills fading into a pale orange dawn sky",
        "First light over the western ridges",
        "Photo: Gazette demo",
    ),
    "stars": (
        demo_pictures.night_sky,
        "stars-over-the-ridge.jpg",
        "A dark ridge under a sky full of small stars",
        "Twenty seconds of exposure, no moon",
        "Photo: Gazette demo",
    ),
    "loaf": (
        demo_pictures.loaf_on_board,
        "loaf-on-board.jpg",
        "A round, scored loaf of bread on a wooden board",
        "The third attempt, finally with an open crumb",
        "",
    ),
}

POSTS = [
    DemoPost(
        "welcome",
        "Welcome to the notebook",
        62,
        ("Notebook",),
        "This is where I keep notes on walks, bread and the night sky: "
        "small things, written down so that I remember them.\n\n"
        "Posts are grouped by day, and every post has a few hashtags. Follow one "
        "to see everything else on the same subject.",
    ),
    DemoPost(
        "ridge-walk",
        "A dawn walk along the ridge",
        55,
        ("Walking", "Hills"),
        "The alarm went at half past four, which felt unreasonable until the "
        "first light came up behind the ridge.\n\n"
        "{hills}\n\n"
        "The path climbs steadily for about an hour. Take water: there is none "
        "on the top, and the wind dries you out faster than you expect.",
    ),
    DemoPost(
        "starter",
        "Keeping a starter alive",
        48,
        ("Baking",),
        "A sourdough starter is flour, water and patience. Mine lives in a jar "
        "on the windowsill and gets fed every morning.\n\n"
        "1. Discard all but a spoonful.\n"
        "2. Add equal weights of flour and water.\n"
        "3. Wait until it doubles, then bake with it.\n\n"
        "If it smells of nail varnish, it is hungry, not dead.",
    ),
    DemoPost(
        "dark-skies",
        "Finding a dark sky",
        30,
        ("NightSkyPhotography", "Hills"),
        "Half an hour's drive from town, the glow on the horizon finally drops "
        "away and the sky fills with stars.\n\n"
        "{stars}\n\n"
        "A wide lens, a steady tripod and a twenty-second exposure are enough "
        "to start. The hard part is waiting for a clear, moonless night.",
    ),
    DemoPost(
        "on-patience",
        "On patience",
        21,
        ("Notebook", "Baking"),
        "A friend who has baked for thirty years told me this, and I have "
        "thought about it ever since:\n\n"
        "> Dough is never late. It is ready when it is ready, and your job is "
        "to notice.\n\n"
        "The same is true of weather on a hill, and of clouds on a night you "
        "meant to photograph stars.",
    ),
    DemoPost(
        "third-loaf",
        "The third loaf",
        12,
        ("Baking", "Sourdough"),
        "The first loaf was a brick, the second a pancake. The third, at last, "
        "rose in the oven and split along the score.\n\n"
        "{loaf}\n\n"
        "What changed: a longer, cooler rise overnight, and a much hotter oven "
        "for the first twenty minutes.",
    ),
    DemoPost(
        "autumn-list",
        "Things to do before the clocks change",
        3,
        ("Walking", "NightSkyPhotography"),
        "Evenings are drawing in, which is good news for stargazing and bad "
        "news for after-work walks.\n\n"
        "- One last long walk on the ridge in daylight\n"
        "- Check the tripod's legs before the cold makes them stiff\n"
        "- Bake something for the walk: a *proper* lunch beats a sandwich",
    ),
]

COMMENTS = [
    # (key, parent key, name, body, minutes after the post)
    (
        "c1",
        None,
        "Marta",
        "Lovely to see the ridge from up there. Which path did you take?",
        90,
    ),
    (
        "c2",
        "c1",
        "The author",
        "The one from the old quarry car park: steep at first, then easy.",
        150,
    ),
    (
        "c3",
        "c2",
        "Marta",
        "Thanks! I will try it next weekend, weather permitting.",
        200,
    ),
    (
        "c4",
        None,
        "Jonas",
        "Half past four is **heroic**. I would still be asleep.",
        400,
    ),
]


@transaction.atomic
def create_demo() -> dict[str, int]:
    """Create the demo blog where it is missing; report what was created.

    It is written as an import is: through the write functions in bulk, and
    its comments through the intake as imported ones."""
    with bulk_writes():
        return _create()


def _create() -> dict[str, int]:
    created = {"posts": 0, "pages": 0, "images": 0, "comments": 0}
    site = SiteSettings.load()
    if site.title == "Gazette" and not site.description:
        site.title = "Field Notes"
        site.description = "Walks, bread and the night sky, written down."
        write_site_settings(site)
    author = _demo_author()

    figures = {}
    for key, (draw, filename, alt, caption, credit) in PICTURES.items():
        image = Image.objects.filter(import_ref=f"demo:image:{key}").first()
        if image is None:
            image = add_image(
                ContentFile(draw(), name=filename),
                alt_text=alt,
                caption=caption,
                credit=credit,
                import_ref=f"demo:image:{key}",
            )
            created["images"] += 1
        figures[key] = image.markdown()

    now = timezone.now()
    posts = {}
    for demo in POSTS:
        post = Post.objects.filter(import_ref=f"demo:post:{demo.key}").first()
        if post is None:
            post = Post(
                title=demo.title,
                slug=demo.key,
                body=demo.body.format(**figures),
                status=Post.Status.PUBLISHED,
                published_at=now
                - timedelta(days=demo.days_ago, hours=demo.days_ago % 5),
                author=author,
                import_ref=f"demo:post:{demo.key}",
            )
            write_entry(post, list(demo.hashtags))
            created["posts"] += 1
        posts[demo.key] = post

    if not Page.objects.filter(import_ref="demo:page:about").exists():
        write_entry(
            Page(
                title="About",
                slug="about",
                status=Page.Status.PUBLISHED,
                import_ref="demo:page:about",
                body="Field Notes is a demo blog made by Gazette. Everything here was "
                "written for it: the walks, the loaves and the stars.\n\n"
                "Sign in at /desk/ to write your own posts, or delete these.",
            )
        )
        created["pages"] += 1

    post = posts["ridge-walk"]
    assert post.published_at is not None  # the demo's posts are published
    made: dict[str, Comment] = {}
    for key, parent, name, body, minutes in COMMENTS:
        comment = Comment.objects.filter(import_ref=f"demo:comment:{key}").first()
        if comment is None:
            draft = CommentDraft(
                name=name,
                body=body,
                parent_id=made[parent].pk if parent else None,
                status=Comment.Status.APPROVED,
                created_at=post.published_at + timedelta(minutes=minutes),
                import_ref=f"demo:comment:{key}",
            )
            comment = receive_comment(post, draft, Source.IMPORT)
            created["comments"] += 1
        made[key] = comment
    return created


def _demo_author():
    User = get_user_model()
    author, made = User.objects.get_or_create(
        username="demo-author",
        defaults={"first_name": "Robin", "last_name": "Hale", "is_active": False},
    )
    if made:
        author.set_unusable_password()
        author.save(update_fields=["password"])
    return author
