"""Every XSS payload through every field a stranger or an author can fill, and
every page, feed and desk screen that shows the field, in headless Chromium.

The browser listens for what would prove a payload ran: `__xss(ID)` called
(bound into every frame), a dialog, a Content Security Policy violation. Each
page's HTML is also read as the browser reads it (hostile/allowlist.py): no
handler, no script address, nothing outside the allow-list. Many payloads
share each page (twenty to a body, twenty comments to a post) so the run stays
within a few minutes.
"""

import io
import itertools
import tempfile
from datetime import timedelta
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PillowImage
from playwright.sync_api import Browser

from e2e.browser import BrowserTestCase
from gazette.comments.models import Comment
from gazette.comments.moderation import moderate
from gazette.comments.spam import make_form_token
from gazette.desk.forms import split_hashtags
from gazette.images.storing import add_image
from gazette.importers import formats
from gazette.importers.load import load
from gazette.posts.models import Entry, Page, Post
from gazette.posts.writing import write_entry
from gazette.site import roles
from gazette.site.models import CommentPolicy, SiteSettings
from gazette.site.writing import write_site_settings
from hostile import allowlist
from hostile.payloads import Payload, all_payloads, pack

PER_BODY = 40
PER_POST_COMMENTS = 40
# The blog's title and description change this many times, each shown on a page.
SITE_ROUNDS = 10
# One comment in this many goes first with its payload as the website too, and
# comes back refused with the person's text, which is read as well.
REFUSED_FORM_EVERY = 3
# Hashtag pages and page editors read: each shows what other pages show too.
HASHTAG_PAGES = 15
PAGE_EDITORS = 5
# Bound into every frame of every page; an init script adds the listener for
# CSP violations, which reports through the second binding.
WATCH_SCRIPT = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(
    `${event.violatedDirective} ${event.blockedURI} ${event.sample}`
  );
}, true);
"""


def _chunks(items, size):
    items = list(items)
    return [items[i : i + size] for i in range(0, len(items), size)]


def _tiny_png() -> bytes:
    out = io.BytesIO()
    PillowImage.new("RGB", (4, 3), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


@override_settings(
    COMMENTS_MIN_SECONDS=0,
    COMMENTS_PER_IP=10**6,
    COMMENTS_PER_POST=10**6,
    GAZETTE_PAGE_CACHE=False,
)
class XssTest(BrowserTestCase):
    browser: Browser  # BrowserTestCase's, started once for the class

    @pytest.fixture(autouse=True)
    def _tally(self, hostile):
        self.hostile = hostile

    def setUp(self):
        super().setUp()
        cache.clear()
        media = self.enterContext(tempfile.TemporaryDirectory())
        self.enterContext(override_settings(MEDIA_ROOT=media))
        self.payloads = list(all_payloads())
        self.sent = 0  # payload x field placements
        self.ran: list[str] = []
        self.violations: list[str] = []
        self.problems: list[str] = []
        self.pages_seen = 0
        authors, _ = Group.objects.get_or_create(name=roles.AUTHORS)
        self.author = get_user_model().objects.create_user(
            "writer", "writer@example.org", "a-long-pass-phrase-9"
        )
        self.author.groups.add(authors)
        site = SiteSettings.load()
        site.posts_per_page = 200
        site.comment_policy = CommentPolicy.HOLD_ALL
        write_site_settings(site)
        self._watch(self.context)

    # The browser's side ---------------------------------------------------

    def _watch(self, context) -> None:
        context.expose_function("__xss", lambda n=None: self.ran.append(f"__xss({n})"))
        context.expose_function(
            "__cspViolation", lambda text: self.violations.append(text)
        )
        context.add_init_script(WATCH_SCRIPT)
        context.route("**/*", self._only_pages)

    def _only_pages(self, route) -> None:
        """Pages and their static files load; nothing else does: nothing leaves
        the machine, and the live server (one SQLite connection shared by
        its threads) never answers two database requests at once. A refused
        image still fires its error event, as a missing one would."""
        request, local = route.request, self.live_server_url
        is_page = request.resource_type == "document" and request.url.startswith(local)
        if is_page or request.url.startswith(f"{local}/static/"):
            route.continue_()
        else:
            route.abort()

    def _listen(self, page) -> None:
        def dialog(d) -> None:
            self.ran.append(f"{d.type}({d.message})")
            d.dismiss()

        page.on("dialog", dialog)

        def console(message) -> None:
            if "Content Security Policy" in message.text:
                self.violations.append(f"console: {message.text[:200]}")

        page.on("console", console)

    def visit(self, page, path: str) -> None:
        """Load `path` in Chromium and read its HTML as the browser did."""
        response = page.goto(self.live_server_url + path, wait_until="load")
        assert response is not None
        if response.status >= 500:
            self.problems.append(f"{path}: answered {response.status}")
            return
        # Handlers that fire a moment after load (autofocus, toggles).
        page.wait_for_timeout(15)
        self.pages_seen += 1
        # The DOM as Chromium built it: the parser that matters, and fast.
        dom = allowlist.dom_tree(page.evaluate(allowlist.DOM_DUMP_SCRIPT))
        self.problems += allowlist.tree_problems(dom, path)

    def fetch(self, path: str, client: Client | None = None) -> bytes:
        response = (client or self.client).get(path)
        if response.status_code >= 500:
            self.problems.append(f"{path}: answered {response.status_code}")
        return response.content

    def check_feed(self, path: str) -> None:
        self.problems += allowlist.feed_problems(self.fetch(path), path)

    def finish(self) -> None:
        through = len(self.ran) + len(self.violations) + len(self.problems)
        self.hostile.record("xss", tried=self.sent, through=through)
        report = "\n".join(
            [f"ran: {r}" for r in self.ran[:20]]
            + [f"CSP: {v}" for v in self.violations[:20]]
            + self.problems[:40]
        )
        self.assertEqual(through, 0, f"{through} got through:\n{report}")

    def _desk_page(self):
        client = Client()
        client.force_login(self.author)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context = self.browser.new_context()
        self._watch(context)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": cookie,
                    "url": self.live_server_url,
                }
            ]
        )
        page = context.new_page()
        self._listen(page)
        return context, page, client

    # Writing as the desk and readers do -------------------------------------

    def _post(self, title: str, body: str, n: int, body_format: str, hashtags=()):
        post = Post(
            title=title,
            slug=f"hostile-{body_format}-{n}",
            body=body,
            body_format=body_format,
            status=Post.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(minutes=n + 1),
            author=self.author,
        )
        return write_entry(post, list(hashtags), author=self.author)

    def write_posts(self) -> list[Post]:
        """Twenty payloads to a body, in Markdown and in HTML; every payload in
        a title; the desk's hashtag field read as the desk reads it."""
        titles = pack(self.payloads, 200)
        bodies = _chunks(self.payloads, PER_BODY)
        posts = []
        for n, title in enumerate(titles):
            body_format = Entry.BodyFormat.HTML if n % 2 else Entry.BodyFormat.MARKDOWN
            chunk = bodies[(n // 2) % len(bodies)] if n < 2 * len(bodies) else []
            hashtags: list[str] = []
            for payload in chunk:
                hashtags += split_hashtags(payload.text)[0]
            body = "\n\n".join(p.text for p in chunk) or "A quiet day."
            posts.append(self._post(title, body, n, body_format, hashtags[:20]))
            self.sent += title.count("__xss(") + 2 * len(chunk)  # body, hashtags
        return posts

    def write_pages(self) -> list[Page]:
        titles = pack(self.payloads, 200)
        pages = []
        for n, chunk in enumerate(_chunks(self.payloads, PER_BODY)):
            page = Page(
                title=titles[n % len(titles)],
                slug=f"hostile-page-{n}",
                body="\n\n".join(p.text for p in chunk),
                status=Page.Status.PUBLISHED,
                published_at=timezone.now() - timedelta(hours=1),
            )
            pages.append(write_entry(page, author=self.author))
            self.sent += len(chunk) + titles[n % len(titles)].count("__xss(")
        return pages

    def write_images(self) -> Post:
        """Captions and alt text, shown in a post as figures and in the library."""
        alts, captions = pack(self.payloads, 300), pack(self.payloads, 500)
        credits = pack(self.payloads, 200)
        png = _tiny_png()
        images = []
        for n, (alt, caption) in enumerate(itertools.zip_longest(alts, captions)):
            image = add_image(
                ContentFile(png, name=f"hostile-{n}.png"),
                alt_text=alt or "",
                caption=caption or "",
                credit=credits[n % len(credits)],
                uploaded_by=self.author,
            )
            images.append(image)
            self.sent += sum(
                text.count("__xss(")
                for text in (alt or "", caption or "", image.credit)
            )
        body = "\n\n".join(image.markdown() for image in images)
        return self._post("Pictures", body, 999, Entry.BodyFormat.MARKDOWN)

    def post_comments(self, posts: list[Post]) -> None:
        """Each payload as name, website and body, through the real form: a
        refused form comes back with the person's text, which is checked too;
        then it goes again with what the form accepts."""
        reader = Client()
        for n, payload in enumerate(self.payloads):
            post = posts[n // PER_POST_COMMENTS % len(posts)]
            url = reverse("comments:post", args=[post.pk])
            data = {
                "author_name": payload.text,
                "author_url": payload.text,
                "body": payload.text,
                "token": make_form_token(post.pk),
            }
            address = f"10.{n // 250}.{n % 250}.1"
            if n % REFUSED_FORM_EVERY:
                data["author_url"] = ""  # what the form accepts, at once
            response = reader.post(url, data, REMOTE_ADDR=address)
            self.sent += 3 if data["author_url"] else 2
            if response.status_code == 400:
                # The form comes back with what was typed: read from the form
                # on (the rest of the page is the post's, read elsewhere).
                where = f"refused comment form ({payload.id})"
                start = response.text.index('id="comment-form"')
                end = response.text.index("</form>", start)
                form = f"<form {response.text[start:end]}</form>"
                self.problems += allowlist.page_problems(form, where)
                data |= {
                    "author_name": payload.text[:100],
                    "author_url": "",
                    "token": make_form_token(post.pk),
                }
                response = reader.post(url, data, REMOTE_ADDR=address)
            self.assertEqual(response.status_code, 302, payload)

    # The tests ------------------------------------------------------------

    def test_no_payload_runs_or_survives_on_any_page(self):
        self.assertGreaterEqual(len(self.payloads), 500)
        page = self.page
        self._listen(page)
        posts = self.write_posts()
        pages = self.write_pages()
        pictures = self.write_images()
        commented = [p for p in posts if p.body != "A quiet day."][:30]
        self.post_comments(commented)

        # The desk, with every comment still held: the queue, the post list,
        # the editor of every post and page, the picture library.
        context, desk, desk_client = self._desk_page()
        queue = Paginated(Comment.objects.count(), 50)
        for number in queue.numbers:
            self.visit(desk, f"{reverse('desk:comments')}?page={number}")
        for number in Paginated(len(posts) + 1, 25).numbers:
            self.visit(desk, f"{reverse('desk:posts')}?page={number}")
        for post in [*commented, pictures]:
            self.visit(desk, reverse("desk:post_edit", args=[post.pk]))
        for entry in pages[:PAGE_EDITORS]:
            self.visit(desk, reverse("desk:page_edit", args=[entry.pk]))
        self.visit(desk, reverse("desk:images"))
        self.visit(desk, reverse("desk:pages"))
        context.close()

        # The author approves every comment; now readers see them all.
        held = Comment.objects.select_related("post")
        moderate(held, "approve", by=self.author)

        # Every body, and every third title alone (the listings show them all).
        for n, post in enumerate([*posts, pictures]):
            if post in commented or post == pictures or not n % 3:
                self.visit(page, post.get_absolute_url())
        for entry in pages:
            self.visit(page, entry.get_absolute_url())
        self.visit(page, reverse("posts:home"))
        self.visit(page, reverse("posts:hashtags"))
        months = {
            (p.published_at.year, p.published_at.month) for p in posts if p.published_at
        }
        for year, month in months:
            self.visit(page, reverse("posts:year", args=[str(year)]))
            self.visit(page, reverse("posts:month", args=[str(year), f"{month:02d}"]))
        hashtags = sorted({h.name for p in commented for h in p.hashtags.all()})
        for hashtag in hashtags[:HASHTAG_PAGES]:
            self.visit(page, reverse("posts:hashtag", args=[hashtag]))
            self.check_feed(reverse("feeds:hashtag_rss", args=[hashtag]))

        for name in ("posts_atom", "posts_rss", "comments_atom", "comments_rss"):
            self.check_feed(reverse(f"feeds:{name}"))
        for post in commented:
            for kind in ("atom", "rss"):
                self.check_feed(reverse(f"feeds:post_comments_{kind}", args=[post.pk]))
        self.problems += allowlist.sitemap_problems(
            self.fetch("/sitemap-posts.xml"), "sitemap"
        )

        # A search for each payload: the query comes back in the page, and
        # most queries find the posts that hold it, with snippets.
        for text in pack(self.payloads, 300):
            self.visit(page, f"{reverse('search:search')}?{_query(text)}")
            self.sent += text.count("__xss(")

        # The blog's title and description, a few payloads at a time, on a
        # page and in the feeds that carry them.
        titles, descriptions = pack(self.payloads, 200), pack(self.payloads, 500)
        rounds = zip(titles, itertools.cycle(descriptions))
        for title, description in itertools.islice(rounds, SITE_ROUNDS):
            site = SiteSettings.load()
            site.title, site.description = title, description
            write_site_settings(site)
            cache.clear()
            self.visit(page, pages[0].get_absolute_url())
            self.check_feed(reverse("feeds:posts_rss"))
            self.check_feed(reverse("feeds:post_comments_rss", args=[commented[0].pk]))
            self.sent += title.count("__xss(") + description.count("__xss(")
        self.finish()

    def test_no_payload_in_an_import_file_runs_or_survives(self):
        """A WordPress export and a Blogger backup with payloads in titles,
        bodies, comment authors, their websites and comments."""
        page = self.page
        self._listen(page)
        chunks = _chunks(self.payloads, PER_BODY)
        with tempfile.TemporaryDirectory() as folder:
            for source, write in (("wordpress", _wordpress), ("blogger", _blogger)):
                path = Path(folder) / f"{source}.xml"
                path.write_text(write(chunks))
                load(formats.parse(path))
                self.sent += len(self.payloads) * 5
        for post in Post.objects.all():
            self.visit(page, post.get_absolute_url())
        self.visit(page, reverse("posts:home"))
        for name in ("posts_atom", "posts_rss", "comments_atom", "comments_rss"):
            self.check_feed(reverse(f"feeds:{name}"))
        for post in Post.objects.all():
            self.check_feed(reverse("feeds:post_comments_rss", args=[post.pk]))
        self.finish()


class Paginated:
    def __init__(self, count: int, per_page: int):
        self.numbers = range(1, max(1, -(-count // per_page)) + 1)


def _query(text: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"q": text})


def _xml_safe(text: str) -> str:
    """Text as XML 1.0 may carry it (no control characters)."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)


def _cdata(text: str) -> str:
    return "<![CDATA[" + _xml_safe(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _wordpress(chunks: list[list[Payload]]) -> str:
    items = []
    for n, chunk in enumerate(chunks):
        comments = "".join(
            f"""<wp:comment><wp:comment_id>{n * 100 + k + 1}</wp:comment_id>
<wp:comment_author>{_cdata(p.text)}</wp:comment_author>
<wp:comment_author_email></wp:comment_author_email>
<wp:comment_author_url>{xml_escape(_xml_safe(p.text))}</wp:comment_author_url>
<wp:comment_date_gmt>2019-03-24 09:15:00</wp:comment_date_gmt>
<wp:comment_content>{_cdata(p.text)}</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type>
<wp:comment_parent>0</wp:comment_parent></wp:comment>"""
            for k, p in enumerate(chunk)
        )
        title = " ".join(p.text for p in chunk)[:200]
        body = "\n\n".join(p.text for p in chunk)
        items.append(
            f"""<item><title>{_cdata(title)}</title>
<link>https://old.example.org/?p={n + 1}</link>
<dc:creator>{_cdata(chunk[0].text)}</dc:creator>
<content:encoded>{_cdata(body)}</content:encoded>
<excerpt:encoded>{_cdata(chunk[-1].text)}</excerpt:encoded>
<wp:post_id>{n + 1}</wp:post_id>
<wp:post_date_gmt>2019-03-24 08:30:00</wp:post_date_gmt>
<wp:post_name>hostile-wp-{n}</wp:post_name><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type>
<category domain="post_tag" nicename="t{n}">{_cdata(chunk[1].text)}</category>
{comments}</item>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>{_cdata(chunks[0][0].text)}</title><link>https://old.example.org</link>
<description>{_cdata(chunks[0][1].text)}</description>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://old.example.org</wp:base_site_url>
<wp:base_blog_url>https://old.example.org</wp:base_blog_url>
{"".join(items)}</channel></rss>"""


def _blogger(chunks: list[list[Payload]]) -> str:
    entries = []
    for n, chunk in enumerate(chunks):
        post_id = f"tag:blogger.com,1999:blog-1.post-{n + 1}"
        title = xml_escape(_xml_safe(" ".join(p.text for p in chunk)[:200]))
        body = xml_escape(_xml_safe("<br>".join(p.text for p in chunk)))
        entries.append(
            f"""<entry><id>{post_id}</id><published>2018-05-01T10:00:00.000Z</published>
<updated>2018-05-01T10:00:00.000Z</updated>
<category scheme="http://schemas.google.com/g/2005#kind" term="http://schemas.google.com/blogger/2008/kind#post"/>
<category scheme="http://www.blogger.com/atom/ns#" term="{xml_escape(_xml_safe(chunk[2].text), {'"': "&quot;"})}"/>
<title type="text">{title}</title><content type="html">{body}</content>
<link rel="alternate" type="text/html" href="https://old.blogspot.com/2018/05/hostile-{n}.html"/>
<author><name>{xml_escape(_xml_safe(chunk[0].text))}</name></author></entry>"""
        )
        for k, p in enumerate(chunk):
            entries.append(
                f"""<entry><id>tag:blogger.com,1999:blog-1.post-{9000 + n * 100 + k}</id>
<published>2018-05-02T10:00:00.000Z</published><updated>2018-05-02T10:00:00.000Z</updated>
<category scheme="http://schemas.google.com/g/2005#kind" term="http://schemas.google.com/blogger/2008/kind#comment"/>
<title type="text">x</title><content type="html">{xml_escape(_xml_safe(p.text))}</content>
<author><name>{xml_escape(_xml_safe(p.text))}</name><uri>{xml_escape(_xml_safe(p.text))}</uri></author>
<thr:in-reply-to xmlns:thr="http://purl.org/syndication/thread/1.0" ref="{post_id}" type="text/html"/></entry>"""
            )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:openSearch="http://a9.com/-/spec/opensearchrss/1.0/">
<id>tag:blogger.com,1999:blog-1</id><title type="text">{xml_escape(_xml_safe(chunks[0][3].text))}</title>
{"".join(entries)}</feed>"""
