"""A WordPress body as the HTML WordPress showed, before Gazette sanitises it.

WordPress keeps a post's text as its author typed it and does the rest each
time the post is shown; an import has to do that once:

* the block editor's marks (`<!-- wp:paragraph -->`, `<!-- /wp:list -->`) go,
  and a reusable block (`<!-- wp:block {"ref":42} /-->`) is replaced by its
  text when the file holds it;
* the classic editor's text gets its paragraphs ("autop"): a blank line splits
  paragraphs, a single newline is a line break, and block elements (tables,
  lists, quotations, figures, `<pre>`...) are left as they are. Block editor
  bodies have their `<p>`s already and are left alone, as WordPress does;
* shortcodes: `[caption]` and `[gallery]` become figures, `[embed]` (and a
  YouTube or Vimeo address alone on its line) a video frame or a link; any
  other shortcode stays visible as text and is listed in the report.
  Nothing inside `<pre>` or `<code>` is touched.
"""

import json
import re
from collections.abc import Callable
from html import escape, unescape
from urllib.parse import parse_qs, urlsplit

from gazette.importers import records
from gazette.lib.htmlbodies import is_video_embed

Gallery = Callable[[list[str]], list[records.Image | str]]

_BLOCK_MARK_RE = re.compile(r"<!--\s*/?wp:")
_REUSABLE_RE = re.compile(r"<!--\s*wp:block\s+(\{.*?\})\s*/-->", re.S)
_HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_CODE_RE = re.compile(r"(<pre\b.*?</pre\s*>|<code\b.*?</code\s*>)", re.S | re.I)
_SHORTCODE_RE = re.compile(
    r"\[(\[?)([A-Za-z][\w-]*)(?![\w-])([^\[\]]*?)(/?)\](?:(.*?)\[/\2\])?(\]?)", re.S
)
_ATTRIBUTE_RE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"]+))""")
_CAPTION_IMAGE_RE = re.compile(
    r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I
)
_BARE_URL_RE = re.compile(r"^([ \t]*)(https?://[^\s<>\"'\[\]]+)[ \t]*$", re.M)
_ALIGN = {
    "alignleft": "float-left",
    "alignright": "float-right",
    "aligncenter": "align-center",
}
_CONVERTED = {"caption", "wp_caption", "gallery", "embed", "youtube", "vimeo"}

_BLOCK_TAGS = (
    "address article aside audio blockquote canvas caption col colgroup dd details "
    "div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header "
    "hgroup hr li main math menu nav noscript object ol p pre section script "
    "select style summary table tbody td textarea tfoot th thead tr ul video"
).split()
_VOID_BLOCKS = {"hr", "col"}
_BLOCK_RE = re.compile(rf"<(/?)({'|'.join(_BLOCK_TAGS)})\b[^>]*>", re.I)


def convert_body(
    source: str,
    *,
    ref: str,
    gallery: Gallery,
    reusable: dict[str, str],
    notes: list[str],
) -> str:
    """`source` (a post's `content:encoded`) as HTML; what could not be
    converted is added to `notes` as lines naming `ref`."""
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    left: dict[str, None] = {}
    text = _inline_reusable_blocks(text, reusable, left)
    has_blocks = bool(_BLOCK_MARK_RE.search(text))
    text = _HTML_COMMENT_RE.sub("", text)
    parts = _CODE_RE.split(text)
    for i in range(0, len(parts), 2):  # the text between <pre>s and <code>s
        parts[i] = _SHORTCODE_RE.sub(lambda m: _shortcode(m, gallery, left), parts[i])
        parts[i] = _BARE_URL_RE.sub(_bare_video, parts[i])
        parts[i] = re.sub(r"\n[ \t]*\n\s*\n", "\n\n", parts[i])  # the marks' lines
    text = "".join(parts)
    if not has_blocks:
        text = autop(text)
    notes += [f"{ref}: {what}" for what in left]
    return text.strip()


def _inline_reusable_blocks(text: str, reusable: dict[str, str], left: dict) -> str:
    def replace(match: re.Match) -> str:
        try:
            number = str(json.loads(match[1]).get("ref", ""))
        except (ValueError, AttributeError):
            number = ""
        if number in reusable:
            return reusable[number]
        left[f"reusable block {number or '?'} not in the file, left out"] = None
        return ""

    for _ in range(3):  # a reusable block may hold another
        if not _REUSABLE_RE.search(text):
            break
        text = _REUSABLE_RE.sub(replace, text)
    return text


# Shortcodes


def _shortcode(match: re.Match, gallery: Gallery, left: dict) -> str:
    whole, before, name, raw, _, content, after = match.group(0, 1, 2, 3, 4, 5, 6)
    if before and after:  # [[name]] is how WordPress writes "[name]" as text
        return whole[1:-1]
    if not _is_shortcode(name, raw, content):
        return whole  # "[sic]" with words after it, "[Note: ...]": just text
    named, positional = _attributes(raw)
    converted = None
    if name in ("caption", "wp_caption"):
        converted = _caption(named, content or "")
    elif name == "gallery":
        converted = _gallery(named, gallery, left)
    elif name == "embed":
        converted = _embed(content or "")
    elif name in ("youtube", "vimeo"):
        address = named.get("url") or named.get("id") or next(iter(positional), "")
        if name == "vimeo" and address.isdigit():
            address = f"https://vimeo.com/{address}"
        converted = _embed(address)
    if converted is None:
        left[f"shortcode [{name}] left as text"] = None
        return whole
    return before + converted + after


def _is_shortcode(name: str, raw: str, content: str | None) -> bool:
    """Square brackets in prose are not shortcodes: a shortcode's name is in
    lower case, and it has a closing tag, attributes, or nothing after it."""
    if name in _CONVERTED:
        return True
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", name):
        return False
    raw = raw.strip()
    return content is not None or not raw or "=" in raw


def _attributes(raw: str) -> tuple[dict[str, str], list[str]]:
    named = {
        m[1].lower(): next(v for v in (m[2], m[3], m[4], "") if v is not None)
        for m in _ATTRIBUTE_RE.finditer(raw)
    }
    positional = _ATTRIBUTE_RE.sub(" ", raw).split()
    return named, [p.strip("\"'") for p in positional]


def _caption(named: dict[str, str], content: str) -> str | None:
    """[caption align="alignleft"]<a><img></a> Words[/caption]: a figure."""
    match = _CAPTION_IMAGE_RE.match(content)
    if not match:
        return None
    image, text = match[1], match[2].strip()
    text = named.get("caption") or text  # WordPress before 3.4 had it here
    align = _ALIGN.get(named.get("align", ""))
    classes = f' class="{align}"' if align else ""
    caption = f"<figcaption>{text}</figcaption>" if text else ""
    return f"<figure{classes}>{image}{caption}</figure>"


def _gallery(named: dict[str, str], gallery: Gallery, left: dict) -> str | None:
    """[gallery ids="3,4"] (or the post's own attachments): a figure of them."""
    ids = [i for i in re.split(r"[\s,]+", named.get("ids", named.get("include", "")))]
    images = []
    for image in gallery([i for i in ids if i.isdigit()]):
        if isinstance(image, str):
            left[f"gallery image {image} not in the file, left out"] = None
            continue
        alt = escape(image.alt_text)
        images.append(f'<img src="{escape(image.url)}" alt="{alt}">')
    if not images:
        return None
    return "<figure>" + "".join(images) + "</figure>"


def _embed(address: str) -> str | None:
    """A YouTube or Vimeo address: the player; any other address: a link."""
    address = unescape(address.strip())
    if not re.fullmatch(r"https?://[^\s<>\"']+", address):
        return None
    if player := video_player(address):
        return _iframe(player)
    return f'<a href="{escape(address)}">{escape(address)}</a>'


def _bare_video(match: re.Match) -> str:
    """A YouTube or Vimeo address alone on its line, as WordPress embeds it."""
    player = video_player(unescape(match[2]))
    return match[1] + _iframe(player) if player else match[0]


def _iframe(src: str) -> str:
    return f'<iframe src="{escape(src)}" width="560" height="315" allowfullscreen></iframe>'


def video_player(address: str) -> str | None:
    """The embeddable player for a YouTube or Vimeo address, or None."""
    try:
        parts = urlsplit(address)
    except ValueError:
        return None
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    segments = [s for s in parts.path.split("/") if s]
    player = None
    if host in ("youtube.com", "youtube-nocookie.com", "youtu.be"):
        video = ""
        if host == "youtu.be" and segments:
            video = segments[0]
        elif segments == ["watch"]:
            video = parse_qs(parts.query).get("v", [""])[0]
        elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "live", "v"):
            video = segments[1]
        if re.fullmatch(r"[\w-]{1,64}", video):
            player = f"https://www.youtube.com/embed/{video}"
    elif host in ("vimeo.com", "player.vimeo.com"):
        if numbers := [s for s in segments if s.isdigit()]:
            player = f"https://player.vimeo.com/video/{numbers[0]}"
    return player if player and is_video_embed(player) else None


# Paragraphs


def autop(text: str) -> str:
    """WordPress's paragraphs for text written without them: blocks are left as
    they are; between them, a blank line splits paragraphs and a single newline
    is a line break."""
    parts: list[str] = []
    position = 0
    while match := _BLOCK_RE.search(text, position):
        parts += _paragraphs(text[position : match.start()])
        end = _block_end(text, match)
        parts.append(text[match.start() : end].strip())
        position = end
    parts += _paragraphs(text[position:])
    return "\n".join(parts)


def _block_end(text: str, opening: re.Match) -> int:
    """Where the block element that `opening` starts ends (its closing tag,
    counting nested ones of the same name), or the end of the text."""
    tag = opening[2].lower()
    if opening[1] or tag in _VOID_BLOCKS or opening[0].endswith("/>"):
        return opening.end()  # a stray closing tag, or one that holds nothing
    depth = 1
    for match in re.finditer(rf"<(/?){tag}\b[^>]*>", text[opening.end() :], re.I):
        if match[1]:
            depth -= 1
        elif not match[0].endswith("/>"):
            depth += 1
        if depth == 0:
            return opening.end() + match.end()
    return len(text)


def _paragraphs(text: str) -> list[str]:
    found = []
    for chunk in re.split(r"\n[ \t]*\n", text):
        chunk = chunk.strip()
        if chunk:
            chunk = re.sub(r"(?:<br\s*/?>)?[ \t]*\n[ \t]*", "<br>\n", chunk)
            found.append(f"<p>{chunk}</p>")
    return found
