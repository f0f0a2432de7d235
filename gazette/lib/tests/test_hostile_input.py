"""Text from outside (post bodies, comments, imports, searches) must take time
in proportion to its length: a pattern that backtracks quadratically lets one
request of a few tens of kilobytes hold a worker for minutes."""

import time
from collections.abc import Callable

from django.test import TestCase

from gazette.importers.htmltext import html_to_comment_text
from gazette.importers.wordpress.bodies import convert_body
from gazette.lib.htmlbodies import sanitise_html_body
from gazette.lib.markup import IMAGE_RE, render_comment
from gazette.posts.models import Entry
from gazette.posts.writing import render_body
from gazette.search.query import parse
from gazette.test import BaseTestCase

# Large enough that quadratic time shows clearly over the fixed costs.
N = 20_000
# 4 times the text may take up to 12 times as long (linear: 4; quadratic: 16):
# room for the noise of a busy machine and for n log n.
MAX_RATIO = 12
# Below this, a time is noise: 4N may take MAX_RATIO times this however fast N was.
FLOOR = 0.01

# Each repeated to the length wanted: what starts Markdown constructs...
MARKDOWN = [
    "![",
    "[",
    "<",
    "*",
    "_",
    "#",
    "![a](",
    "](",
    "`",
    "> ",
    "\\",
    "&",
    "*a",
    "[a](",
    "](<",
    "<!--",
    '"',  # curly quotes: straight ones past SMART_QUOTES_LIMIT
    "'a",
]
# ... and what starts HTML, WordPress shortcodes and the like.
MARKUP = [
    *MARKDOWN,
    " ",
    " \n",
    "a",
    "<p",
    "<pre",
    "<br",
    '<p style="',
    "[a]",
    "[a b=",
    'a="',
    "<!-- wp:block {",
]


def _wordpress(text: str) -> str:
    return convert_body(text, ref="x", gallery=lambda ids: [], reusable={}, notes=[])


def _markdown_body(text: str) -> object:
    return render_body(text, Entry.BodyFormat.MARKDOWN)


def _html_body(text: str) -> object:
    return render_body(text, Entry.BodyFormat.HTML)


# What reads text from outside, and the texts to try on it.
READERS: list[tuple[Callable[[str], object], list[str]]] = [
    (_markdown_body, MARKDOWN),
    (IMAGE_RE.findall, MARKDOWN),
    (render_comment, MARKDOWN),
    (_html_body, MARKUP),
    (sanitise_html_body, MARKUP),
    (parse, MARKUP),  # the search box
    (html_to_comment_text, MARKUP),  # imported comments
    (_wordpress, MARKUP),
]


def _repeated(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def _seconds(read: Callable[[str], object], text: str) -> float:
    # CPU time of this process: other work on a busy machine does not count.
    start = time.process_time()
    read(text)
    return time.process_time() - start


def growth(read: Callable[[str], object], unit: str) -> tuple[float, float]:
    """The best of up to 5 runs at N and at 4N characters."""
    small, large = _repeated(unit, N), _repeated(unit, 4 * N)
    best_small = best_large = float("inf")
    for _ in range(5):
        best_small = min(best_small, _seconds(read, small))
        best_large = min(best_large, _seconds(read, large))
        if best_large < MAX_RATIO * max(best_small, FLOOR):
            break
    return best_small, best_large


class HostileInputTest(TestCase):
    def test_time_grows_linearly_with_the_length_of_hostile_text(self):
        for read, units in READERS:
            for unit in units:
                with self.subTest(reader=read.__name__, text=f"{unit!r} * n"):
                    small, large = growth(read, unit)
                    self.assertLess(
                        large,
                        MAX_RATIO * max(small, FLOOR),
                        f"{N} characters: {small:.3f}s, {4 * N}: {large:.3f}s",
                    )

    def test_image_addresses_are_still_found(self):
        source = (
            '![A kite](/media/kite.jpg "Ridge")\n\n'
            "![esc \\] aped](</media/b.png>)\n\n"
            "Text ![![ ![inline](/media/c.gif) and [a link](/x) and ![](/media/d.jpg)"
        )
        self.assertEqual(
            IMAGE_RE.findall(source),
            ["/media/kite.jpg", "/media/b.png", "/media/c.gif", "/media/d.jpg"],
        )


class HostilePreviewTest(BaseTestCase):
    def test_a_contributor_previews_a_hostile_body_promptly(self):
        self.client.force_login(self.bob)  # a contributor
        start = time.perf_counter()
        response = self.client.post("/desk/preview/", {"body": "![" * 40_000})
        self.assertEqual(response.status_code, 200)
        self.assertLess(time.perf_counter() - start, 20)
