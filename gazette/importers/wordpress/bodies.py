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
from bisect import bisect_left
from collections.abc import Callable
from html import escape, unescape
from urllib.parse import parse_qs, urlsplit

from gazette.importers import records
from gazette.lib.htmlbodies import is_video_embed

Gallery = Callable[[list[str]], list[records.Image | str]]

_BLOCK_MARK_RE = re.compile(r"<!--\s*/?wp:")
# Nothing here reads "up to the first X" with ".*?": tried again from each
# of many openings with no X after them, that takes time quadratic in the text.
# Where the end is found is worked out once (`_first_after`) instead.
_REUSABLE_START_RE = re.compile(r"<!--\s*wp:block\s+(?=\{)")
_REUSABLE_END_RE = re.compile(r"\}\s*/-->")
_CODE_START_RE = re.compile(r"<(pre|code)\b", re.I)
_CODE_END_RES = {
    "pre": re.compile(r"</pre\s*>", re.I),
    "code": re.compile(r"</code\s*>", re.I),
}
_SHORTCODE_RE = re.compile(r"\[(\[?)([A-Za-z][\w-]*)(?![\w-])([^\[\]]*?)(/?)\]")
_SHORTCODE_END_RE = re.compile(r"\[/([A-Za-z][\w-]*)\]")
# The look-behind starts a name only at the start of a word (from each letter
# of a long word, "[\w-]+" ran to its end: quadratic).
_ATTRIBUTE_RE = re.compile(
    r"""(?<![\w-])([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"]+))"""
)
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
_LINE_BREAK_RE = re.compile(r"(?:<br\s*/?>)?(?:(?<![ \t])[ \t]+)?\n[ \t]*")


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
    text = _strip_html_comments(text)
    parts = _split_code(text)
    for i in range(0, len(parts), 2):  # the text between <pre>s and <code>s
        parts[i] = _replace_shortcodes(parts[i], gallery, left)
        parts[i] = _BARE_URL_RE.sub(_bare_video, parts[i])
        parts[i] = re.sub(r"\n[ \t]*\n\s*\n", "\n\n", parts[i])  # the marks' lines
    text = "".join(parts)
    if not has_blocks:
        text = autop(text)
    notes += [f"{ref}: {what}" for what in left]
    return text.strip()


def _first_after(pattern: re.Pattern, text: str) -> Callable[[int], re.Match | None]:
    """The first match of `pattern` in `text` that starts at or after a
    position, all matches found once (`pattern`'s matches never overlap)."""
    matches = list(pattern.finditer(text))
    starts = [match.start() for match in matches]

    def first(position: int) -> re.Match | None:
        i = bisect_left(starts, position)
        return matches[i] if i < len(matches) else None

    return first


def _strip_html_comments(text: str) -> str:
    """Text without its <!-- comments --> (an unclosed one stays)."""
    out, position = [], 0
    while (start := text.find("<!--", position)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            break
        out.append(text[position:start])
        position = end + 3
    out.append(text[position:])
    return "".join(out)


def _split_code(text: str) -> list[str]:
    """Text, <pre>...</pre> or <code>...</code>, text, ..., text."""
    closing_after = {tag: _first_after(end, text) for tag, end in _CODE_END_RES.items()}
    parts, position, search_from = [], 0, 0
    while opening := _CODE_START_RE.search(text, search_from):
        closing = closing_after[opening[1].lower()](opening.end())
        if closing is None:  # not code: an unclosed one is left as text
            search_from = opening.start() + 1
            continue
        parts += [
            text[position : opening.start()],
            text[opening.start() : closing.end()],
        ]
        position = search_from = closing.end()
    parts.append(text[position:])
    return parts


def _inline_reusable_blocks(text: str, reusable: dict[str, str], left: dict) -> str:
    """<!-- wp:block {"ref":42} /--> replaced by the reusable block's text."""

    def replace(block: str) -> str:
        try:
            number = str(json.loads(block).get("ref", ""))
        except (ValueError, AttributeError):
            number = ""
        if number in reusable:
            return reusable[number]
        left[f"reusable block {number or '?'} not in the file, left out"] = None
        return ""

    for _ in range(3):  # a reusable block may hold another
        if not _REUSABLE_START_RE.search(text):
            break
        closing_after = _first_after(_REUSABLE_END_RE, text)
        out, position = [], 0
        while opening := _REUSABLE_START_RE.search(text, position):
            closing = closing_after(opening.end())
            if closing is None:  # nor for any later opening
                break
            block = text[opening.end() : closing.start() + 1]  # {...}
            out += [text[position : opening.start()], replace(block)]
            position = closing.end()
        text = "".join(out) + text[position:]
    return text


# Shortcodes


def _replace_shortcodes(text: str, gallery: Gallery, left: dict) -> str:
    """Each [name attributes] or [name]content[/name] converted or kept."""
    closings: dict[str, list[re.Match]] = {}
    for closing in _SHORTCODE_END_RE.finditer(text):
        closings.setdefault(closing[1], []).append(closing)
    starts = {name: [c.start() for c in found] for name, found in closings.items()}
    out, position = [], 0
    while opening := _SHORTCODE_RE.search(text, position):
        before, name, raw = opening.group(1, 2, 3)
        end, content = opening.end(), None
        # Up to the first [/name] after it, if there is one.
        i = bisect_left(starts.get(name, []), end)
        if i < len(starts.get(name, [])):
            content = text[end : closings[name][i].start()]
            end = closings[name][i].end()
        after = "]" if text.startswith("]", end) else ""
        end += len(after)
        whole = text[opening.start() : end]
        out.append(text[position : opening.start()])
        out.append(_shortcode(whole, before, name, raw, content, after, gallery, left))
        position = end
    return "".join(out) + text[position:]


def _shortcode(
    whole: str,
    before: str,
    name: str,
    raw: str,
    content: str | None,
    after: str,
    gallery: Gallery,
    left: dict,
) -> str:
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
    # Past the last ">", no tag can end: "[^>]*" would run to the end of the
    # text from every "<p" there, which made "<p<p<p..." quadratic.
    tags_end = text.rfind(">") + 1
    while match := _BLOCK_RE.search(text, position, tags_end):
        parts += _paragraphs(text[position : match.start()])
        end = _block_end(text, match, tags_end)
        parts.append(text[match.start() : end].strip())
        position = end
    parts += _paragraphs(text[position:])
    return "\n".join(parts)


def _block_end(text: str, opening: re.Match, tags_end: int) -> int:
    """Where the block element that `opening` starts ends (its closing tag,
    counting nested ones of the same name), or the end of the text. No tag
    ends past `tags_end`."""
    tag = opening[2].lower()
    if opening[1] or tag in _VOID_BLOCKS or opening[0].endswith("/>"):
        return opening.end()  # a stray closing tag, or one that holds nothing
    depth = 1
    same = re.compile(rf"<(/?){tag}\b[^>]*>", re.I)
    for match in same.finditer(text, opening.end(), tags_end):
        if match[1]:
            depth -= 1
        elif not match[0].endswith("/>"):
            depth += 1
        if depth == 0:
            return match.end()
    return len(text)


def _paragraphs(text: str) -> list[str]:
    found = []
    for chunk in re.split(r"\n[ \t]*\n", text):
        chunk = chunk.strip()
        if chunk:
            # Blanks before a newline are taken from the start of their run
            # only (tried from each blank of a long run: quadratic).
            chunk = _LINE_BREAK_RE.sub("<br>\n", chunk)
            found.append(f"<p>{chunk}</p>")
    return found
