"""Markdown to safe HTML: the one place where post bodies become HTML.

A post body is CommonMark with two additions:

* an image alone in its paragraph is a figure; its title is the caption:
  ``![A red kite over the ridge](/media/kite.jpg "Morning on the ridge")``
* ``#Hashtag`` in running text links to the hashtag's page.

The output is always passed through `sanitise` (an nh3 allow-list) before it is
stored, so nothing in the source can add script, styles or event handlers.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from html import escape

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

# A hashtag starts a word, begins with a letter and runs on letters, digits and "_".
# The look-behind keeps "#" inside words, URLs and entities ("&#39;") out.
HASHTAG_RE = re.compile(r"(?<![\w&#/])#([^\W\d_][\w]{0,63})")
# The address part of a Markdown image: ![alt](ADDRESS "title"), to look the
# uploaded images up before rendering. The alt text may not hold a bare "[":
# each attempt then stops at the next "[" (which starts the next candidate), so
# finding them all is linear; with "[" allowed, "![" repeated made it quadratic.
# (Brackets in alt text were never matched: such an image only goes without
# its width, height and srcset.)
IMAGE_RE = re.compile(r"!\[(?:\\.|[^\[\]\\])*\]\(\s*<?([^\s)>]+)")

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
    "cite",
    "span",
    "picture",
    "source",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "srcset", "sizes", "loading"},
    "source": {"srcset", "sizes", "type"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "abbr": {"title"},
}
# Classes are allowed one by one: the ones the renderer itself writes.
ALLOWED_CLASSES = {
    "a": {"hashtag"},
    "figure": {"figure"},
    "small": {"credit"},
    "code": {"language-" + name for name in ("python", "js", "html", "css", "sh")},
}
URL_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class ImageInfo:
    """What the renderer may know about an uploaded image, to add size and srcset."""

    width: int
    height: int
    srcset: str = ""
    webp_srcset: str = ""
    credit: str = ""


@dataclass
class Rendered:
    html: str
    hashtags: list[str] = field(default_factory=list)
    image_srcs: list[str] = field(default_factory=list)


def sanitise(html: str, *, link_rel: str | None = "noopener noreferrer") -> str:
    """Keep only the allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=link_rel,
        strip_comments=True,
    )


def find_hashtags(text: str) -> list[str]:
    """Hashtags in plain text, first spelling of each kept, in order of appearance."""
    seen: dict[str, str] = {}
    for match in HASHTAG_RE.finditer(text):
        seen.setdefault(match.group(1).casefold(), match.group(1))
    return list(seen.values())


SMART_QUOTES_LIMIT = 2000


def render_markdown(
    source: str,
    *,
    hashtag_url: Callable[[str], str] | None = None,
    image_info: Callable[[str], ImageInfo | None] | None = None,
) -> Rendered:
    """Render a post body to sanitised HTML and report what it refers to.

    `hashtag_url(name)` gives the link for an inline hashtag (no link when None);
    `image_info(src)` describes an uploaded image, for width, height and srcset.
    """
    md = MarkdownIt(
        "commonmark", {"html": False, "linkify": False, "typographer": True}
    )
    md.enable(["table", "strikethrough", "replacements"])
    # markdown-it's curly quotes take time growing with the square of the number
    # of quote marks in a paragraph; a body with thousands of them keeps straight
    # quotes rather than stall the server.
    if source.count('"') + source.count("'") <= SMART_QUOTES_LIMIT:
        md.enable("smartquotes")
    md.core.ruler.push("gazette_figures", _figures)
    md.core.ruler.push("gazette_headings", _demote_headings)
    env: dict = {"hashtags": {}, "image_srcs": []}
    if hashtag_url:
        md.core.ruler.push("gazette_hashtags", _make_hashtag_rule(hashtag_url))
    md.add_render_rule("image", _make_image_renderer(image_info))
    md.add_render_rule("figure_open", lambda *a: '<figure class="figure">\n')
    md.add_render_rule("figure_close", lambda *a: "</figure>\n")
    md.add_render_rule("figcaption", _render_figcaption)
    html = md.render(source, env)
    return Rendered(
        html=sanitise(html),
        hashtags=list(env["hashtags"].values()),
        image_srcs=env["image_srcs"],
    )


def _demote_headings(state) -> None:
    """The page's <h1> is the post title, so a body's "# Heading" becomes <h2>."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


def _figures(state) -> None:
    """Turn a paragraph holding one image into <figure> with a <figcaption>."""
    tokens: list[Token] = state.tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        children = (tokens[i + 1].children or []) if i + 1 < len(tokens) else []
        is_lone_image = (
            token.type == "paragraph_open"
            and i + 2 < len(tokens)
            and tokens[i + 1].type == "inline"
            and tokens[i + 2].type == "paragraph_close"
            and len(children) == 1
            and children[0].type == "image"
        )
        if not is_lone_image:
            out.append(token)
            i += 1
            continue
        image = children[0]
        out.append(Token("figure_open", "figure", 1, block=True, level=token.level))
        out.append(tokens[i + 1])
        caption = image.attrGet("title")
        image.attrs.pop("title", None)
        meta = {"src": image.attrGet("src")}
        out.append(
            Token("figcaption", "figcaption", 0, content=str(caption or ""), meta=meta)
        )
        out.append(Token("figure_close", "figure", -1, block=True, level=token.level))
        i += 3
    state.tokens = out


def _render_figcaption(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    credit = env.get("credits", {}).get(token.meta.get("src"), "")
    if not token.content and not credit:
        return ""
    parts = [escape(token.content)]
    if credit:
        parts.append(f'<small class="credit">{escape(credit)}</small>')
    return f"<figcaption>{' '.join(p for p in parts if p)}</figcaption>\n"


def _make_image_renderer(image_info):
    def render_image(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = self.renderInlineAsText(token.children or [], options, env)
        env["image_srcs"].append(src)
        attrs = [f'src="{escape(src)}"', f'alt="{escape(alt)}"']
        if title := token.attrGet("title"):
            attrs.append(f'title="{escape(str(title))}"')
        info = image_info(src) if image_info else None
        sizes = 'sizes="(max-width: 760px) 100vw, 720px"'
        if info:
            attrs.append(f'width="{info.width}" height="{info.height}"')
            if info.srcset:
                attrs.append(f'srcset="{escape(info.srcset)}" {sizes}')
            if info.credit:
                env.setdefault("credits", {})[src] = info.credit
        attrs.append('loading="lazy"')
        img = f"<img {' '.join(attrs)}>"
        if info and info.webp_srcset:
            # Browsers that read WebP take the smaller files; the rest use <img>.
            source = f'<source type="image/webp" srcset="{escape(info.webp_srcset)}" {sizes}>'
            return f"<picture>{source}{img}</picture>"
        return img

    return render_image


def _make_hashtag_rule(hashtag_url: Callable[[str], str]):
    def link_hashtags(state) -> None:
        for block in state.tokens:
            if block.type != "inline" or not block.children:
                continue
            children: list[Token] = []
            in_link = False
            for child in block.children:
                if child.type == "link_open":
                    in_link = True
                elif child.type == "link_close":
                    in_link = False
                if child.type != "text" or in_link or "#" not in child.content:
                    children.append(child)
                    continue
                children.extend(_split_hashtags(child, hashtag_url, state.env))
            block.children = children

    return link_hashtags


def _split_hashtags(token: Token, hashtag_url, env) -> list[Token]:
    out: list[Token] = []
    text = token.content
    position = 0
    for match in HASHTAG_RE.finditer(text):
        name = match.group(1)
        env["hashtags"].setdefault(name.casefold(), name)
        if match.start() > position:
            out.append(Token("text", "", 0, content=text[position : match.start()]))
        link = Token("link_open", "a", 1, attrs={"href": hashtag_url(name)})
        link.attrSet("class", "hashtag")
        out.append(link)
        out.append(Token("text", "", 0, content=f"#{name}"))
        out.append(Token("link_close", "a", -1))
        position = match.end()
    if position < len(text):
        out.append(Token("text", "", 0, content=text[position:]))
    return out


COMMENT_TAGS = {"p", "br", "em", "strong", "a", "blockquote", "code", "pre"}


@cache
def _comment_parser() -> MarkdownIt:
    """Made once: an import renders a hundred thousand comments."""
    md = MarkdownIt("zero", {"html": False, "breaks": True})
    return md.enable(
        ["emphasis", "link", "blockquote", "backticks", "fence", "code", "newline"]
    )


# Characters that can start Markdown in a comment; text without them (most
# comments) is only paragraphs and line breaks.
_MARKUP_CHARS = frozenset("\\`*_[]<>&~\t")


def _plain_paragraphs(source: str) -> str | None:
    """What the comment parser makes of text with no markup in it, made
    directly (an import renders a hundred thousand comments); None when the
    text needs the parser. tests/test_markup.py checks the two agree."""
    if _MARKUP_CHARS.intersection(source):
        return None
    paragraphs: list[list[str]] = [[]]
    for line in source.split("\n"):
        if not line.strip():
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if not paragraphs[-1] and line.startswith("    "):
            return None  # an indented code block
        paragraphs[-1].append(line.strip())
    return "".join(
        "<p>" + "<br>\n".join(lines) + "</p>\n" for lines in paragraphs if lines
    )


def render_comment(source: str) -> str:
    """A reader's comment: paragraphs, emphasis, links, quotes and code, no more."""
    plain = _plain_paragraphs(source)
    if plain is not None:
        # Only <p> and <br> around text that holds no "<", ">" or "&": inside
        # the allow-list by construction (the test compares it with the below).
        return plain
    return clean_comment_html(_comment_parser().render(source))


def clean_comment_html(html: str) -> str:
    """The comment allow-list: the few tags a comment may hold."""
    return nh3.clean(
        html,
        tags=COMMENT_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )
