"""Properties of everything that reads text from outside, tried on inputs
hypothesis makes up: hostile markup, broken structure, odd Unicode.

* the Markdown renderer, the comment renderer and the HTML-body sanitiser never
  raise, give balanced HTML inside their allow-list, and give back the same
  HTML when their output is cleaned again;
* the comment form answers valid or invalid, never an exception;
* the search query parser never raises and keeps to its limits;
* the importers' parsers, fed broken and hostile XML, raise ImportFailed or
  nothing;
* rendering time grows at most linearly: doubling a run of adversarial
  building blocks may not much more than double the time.
"""

import gc
import tempfile
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gazette.comments.forms import CommentForm
from gazette.importers import formats
from gazette.importers.records import ImportFailed
from gazette.lib.htmlbodies import HTML_TAGS, sanitise_html_body
from gazette.lib.markup import (
    ALLOWED_TAGS,
    COMMENT_TAGS,
    clean_comment_html,
    render_comment,
    render_markdown,
    sanitise,
)
from gazette.search import query
from hostile import allowlist
from hostile.payloads import all_payloads

PROPERTY = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
VOID = {"br", "hr", "img", "source", "col", "input", "meta", "link", "wbr"}

# What starts, ends or nests Markdown and HTML constructs.
BLOCKS = [
    "![",
    "[",
    "]",
    "](",
    "*",
    "**",
    "_",
    "<",
    ">",
    "`",
    "```",
    "&#",
    "&#x",
    "&",
    ";",
    '"',
    "'",
    "> ",
    "> > ",
    "- ",
    "1. ",
    "    ",
    "\n",
    "\n\n",
    "#",
    "#tag",
    "|",
    "---",
    "~~",
    "\\",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "javascript:",
    "http://x.test/",
    "<a href=",
    "<img src=x onerror=",
    "<svg><style>",
    "</p>",
    "<table><td>",
    "<iframe src=",
    'style="float:left"',
    "\x01",
    "\u202e",
    "\u200d",
    "＜",
]
hostile_text = st.one_of(
    st.lists(st.one_of(st.sampled_from(BLOCKS), st.text(max_size=6)), max_size=40).map(
        "".join
    ),
    st.sampled_from([p.text for p in all_payloads()]),
    st.lists(st.sampled_from([p.text for p in all_payloads()]), max_size=5).map(
        "\n\n".join
    ),
)


class _Balance(HTMLParser):
    """Every element closed, in order, and no end tag without its start."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs) -> None:
        if tag not in VOID:
            self.errors.append(f"<{tag}/> is not a void element")

    def handle_endtag(self, tag) -> None:
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


def assert_well_formed(html: str, tags: set[str]) -> None:
    balance = _Balance()
    balance.feed(html)
    balance.close()
    assert not balance.errors, (balance.errors, html)
    assert not balance.open, (balance.open, html)
    fragment = allowlist.parse_fragment(html)
    problems = allowlist.stored_html_problems(fragment, tags)
    for element in fragment.iter():
        if element is not fragment and isinstance(element.tag, str):
            problems += allowlist._element_problems(element)
    assert not problems, (problems, html)


@PROPERTY
@given(hostile_text)
def test_markdown_gives_balanced_allowed_html(source):
    html = render_markdown(source, hashtag_url=lambda name: f"/hashtag/{name}/").html
    assert_well_formed(html, ALLOWED_TAGS)
    assert sanitise(html) == html


@PROPERTY
@given(hostile_text)
def test_comments_give_balanced_allowed_html(source):
    html = render_comment(source)
    assert_well_formed(html, COMMENT_TAGS)
    assert clean_comment_html(html) == html


@PROPERTY
@given(hostile_text)
def test_html_bodies_give_balanced_allowed_html(source):
    html = sanitise_html_body(source)
    assert_well_formed(html, HTML_TAGS)
    # Cleaning again changes nothing but the blank lines around the body.
    assert sanitise_html_body(html).strip() == html.strip()


form_value = st.one_of(hostile_text, st.text(max_size=300), st.integers().map(str))


@PROPERTY
@given(
    st.fixed_dictionaries(
        {},
        optional={
            name: form_value
            for name in (
                "author_name",
                "author_email",
                "author_url",
                "body",
                "wants_reply_notifications",
                "parent",
                "token",
                "homepage_title",
            )
        },
    )
)
def test_the_comment_form_answers_without_raising(data):
    form = CommentForm(data)
    assert form.is_valid() in (True, False)
    if not form.is_valid():
        assert form.errors


@PROPERTY
@given(st.one_of(hostile_text, st.text(max_size=1000)))
def test_search_queries_parse_within_their_limits(text):
    found = query.parse(text)
    assert len(found.text) <= query.MAX_LENGTH
    assert len(found.words) + len(found.phrases) <= query.MAX_WORDS
    assert len(found.hashtags) <= query.MAX_HASHTAGS
    assert all(0 < len(word) <= query.MAX_WORD_LENGTH for word in found.words)


# The importers' formats, as pieces to shuffle, repeat and break.
WORDPRESS_PIECES = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/">',
    "<channel>",
    "</channel>",
    "</rss>",
    "<item>",
    "</item>",
    "<title>",
    "</title>",
    "<content:encoded>",
    "</content:encoded>",
    "<wp:post_id>",
    "</wp:post_id>",
    "<wp:post_type>post</wp:post_type>",
    "<wp:status>publish</wp:status>",
    "<wp:post_date_gmt>2019-03-24 08:30:00</wp:post_date_gmt>",
    "<wp:post_date_gmt>not a date</wp:post_date_gmt>",
    "<wp:comment>",
    "</wp:comment>",
    "<wp:comment_id>",
    "</wp:comment_id>",
    "<wp:comment_parent>",
    "</wp:comment_parent>",
    "<wp:comment_author>",
    "</wp:comment_author>",
    "<wp:comment_author_url>",
    "</wp:comment_author_url>",
    "<wp:comment_content>",
    "</wp:comment_content>",
    '<category domain="post_tag">',
    "</category>",
    "<wp:wxr_version>1.2</wp:wxr_version>",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&lt;",
    "&#0;",
    "&bogus;",
    "<!DOCTYPE x [<!ENTITY a 'aaaa'>]>",
    "12",
    "-1",
    "99999999999999999999",
]
BLOGGER_PIECES = [
    "<?xml version='1.0' encoding='UTF-8'?>",
    "<feed xmlns='http://www.w3.org/2005/Atom' "
    "xmlns:blogger='http://schemas.google.com/blogger/2018'>",
    "</feed>",
    "<id>tag:blogger.com,1999:blog-1</id>",
    "<entry>",
    "</entry>",
    "<id>tag:blogger.com,1999:blog-1.post-",
    "</id>",
    "<blogger:type>POST</blogger:type>",
    "<blogger:type>COMMENT</blogger:type>",
    "<blogger:type>PAGE</blogger:type>",
    "<blogger:status>LIVE</blogger:status>",
    "<blogger:parent>tag:blogger.com,1999:blog-1.post-1</blogger:parent>",
    "<blogger:filename>/2021/06/x.html</blogger:filename>",
    "<blogger:filename>",
    "</blogger:filename>",
    "<title>",
    "</title>",
    "<content type='html'>",
    "</content>",
    "<author><name>",
    "</name><uri>",
    "</uri></author>",
    "<published>2021-06-12T09:00:00.000+02:00</published>",
    "<published>yesterday</published>",
    "<category scheme='http://schemas.google.com/g/2005#kind' "
    "term='http://schemas.google.com/blogger/2008/kind#post'/>",
    "<category scheme='tag:blogger.com,1999:blog-1' term='",
    "'/>",
    "&lt;script&gt;",
    "&amp;",
    "&#x1;",
    "<![CDATA[",
    "]]>",
]


def _xml(pieces: list[str]):
    return st.lists(
        st.one_of(st.sampled_from(pieces), hostile_text), min_size=1, max_size=60
    ).map("".join)


def _wellformed(head: str, pieces: list[str], tail: str):
    """A skeleton that parses, with hostile text (XML-escaped) in its fields."""
    escaped = hostile_text.map(
        lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )
    body = st.lists(st.one_of(st.sampled_from(pieces), escaped), max_size=60)
    return body.map(lambda parts: head + "".join(parts) + tail)


@pytest.mark.parametrize(
    ("source", "documents"),
    [
        ("wordpress", _xml(WORDPRESS_PIECES)),
        ("blogger", _xml(BLOGGER_PIECES)),
        (
            "wordpress",
            _wellformed(
                "".join(WORDPRESS_PIECES[:3]) + "<wp:wxr_version>1.2</wp:wxr_version>",
                WORDPRESS_PIECES[5:32],
                "</channel></rss>",
            ),
        ),
        (
            "blogger",
            _wellformed(
                "".join(BLOGGER_PIECES[:2]) + BLOGGER_PIECES[3],
                BLOGGER_PIECES[4:30],
                "</feed>",
            ),
        ),
    ],
)
def test_importers_refuse_broken_files_with_import_failed_only(source, documents):
    @PROPERTY
    @given(documents)
    def parse_or_refuse(text: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "backup.xml"
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
            try:
                formats.parse(path, source)
            except ImportFailed:
                pass

    parse_or_refuse()


def _fastest_pair(
    render: Callable[[str], object], text: str, runs: int = 5
) -> tuple[float, float]:
    """The least CPU time of a few runs on `text` and on it twice over, taken
    in turns so that both meet the same load, with the garbage collector
    paused (its passes depend on everything alive in the process, not on
    the renderer)."""
    best = [float("inf"), float("inf")]
    gc.collect()
    gc.disable()
    try:
        for _ in range(runs):
            for n, sample in enumerate((text, text + text)):
                start = time.process_time()
                render(sample)
                best[n] = min(best[n], time.process_time() - start)
    finally:
        gc.enable()
    return best[0], best[1]


# Doubling the text may take up to this many times as long: linear gives 2,
# quadratic 4; the room above 2 is for a busy machine (a run under load once
# measured 3.2 for linear code). gazette/lib/tests/test_hostile_input.py
# quadruples the same inputs, where the gap is wider (4 against 16).
MAX_DOUBLING_RATIO = 3.5
# Below this a time is noise, and the ratio means nothing.
FLOOR = 0.02
SIZE = 20_000
TIMED: list[tuple[str, Callable[[str], object], list[str]]] = [
    (
        "markdown",
        lambda text: render_markdown(text, hashtag_url=lambda n: f"/h/{n}/"),
        ["![", "[", "*", "_", "<", "`", "&#", "> ", "- ", "'\"", "[a](", "#a ", "\\"],
    ),
    ("comment", render_comment, ["[", "*", "_", "<", "`", "&#", "> ", "[a](", "\\"]),
    (
        "html body",
        sanitise_html_body,
        ["<", "<a ", "<div style='", "<iframe src=", "&#", "<!--", "<table><td>"],
    ),
]


@pytest.mark.parametrize(
    ("render", "block"),
    [
        pytest.param(render, block, id=f"{name}-{block!r}")
        for name, render, blocks in TIMED
        for block in blocks
    ],
)
def test_rendering_time_grows_linearly(render, block):
    text = (block * (SIZE // len(block) + 1))[:SIZE]
    single, double = _fastest_pair(render, text)
    # Under FLOOR both are too fast to measure, and linear enough.
    assert double < FLOOR or double <= MAX_DOUBLING_RATIO * single, (
        f"{len(text)} characters of {block!r}: {single:.3f}s; twice as many: "
        f"{double:.3f}s"
    )
