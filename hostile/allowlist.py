"""Reading Gazette's pages and feeds as a browser and a feed reader would, and
saying what in them came from input and should not have survived.

A page is parsed with html5lib (the HTML standard's parsing algorithm, as
browsers do) and checked three ways:

* anywhere: no `on*` attribute, no address with a scheme other than http,
  https or mailto, no element or attribute the templates never write (the
  templates' own vocabulary is read from their files, so a new template
  needs no change here), no script but the page's own files and JSON-LD that
  parses as JSON, no frame but the allowed video players;
* inside the containers that hold stored HTML (`.post-body`,
  `.comment-body`): only what the allow-list in gazette/lib/markup.py and
  gazette/lib/htmlbodies.py lets through, attribute by attribute;
* feeds: well-formed XML; every text field a reader shows as HTML (RSS
  titles and descriptions, Atom's type="html") read as HTML again must hold
  only allowed markup, and a plain-text field no markup at all.
"""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import html5lib
from lxml import etree

from gazette.lib.htmlbodies import HTML_ATTRIBUTES, HTML_CLASSES, HTML_TAGS, VIDEO_HOSTS
from gazette.lib.markup import ALLOWED_CLASSES, COMMENT_TAGS

ROOT = Path(__file__).resolve().parents[1]
SAFE_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "cite",
    "ping",
    "xlink:href",
    "dynsrc",
    "lowsrc",
}
# Attributes Django's form widgets and format_html helpers write, which the
# template files do not spell out.
WIDGET_ATTRIBUTES = {
    "name",
    "id",
    "type",
    "value",
    "required",
    "maxlength",
    "minlength",
    "rows",
    "cols",
    "checked",
    "selected",
    "multiple",
    "accept",
    "autocomplete",
    "autofocus",
    "tabindex",
    "placeholder",
    "step",
    "min",
    "max",
    "list",
    "disabled",
    "for",
    "hidden",
    "size",
    "pattern",
    "inputmode",
    "aria-describedby",
    "aria-invalid",
    "rel",
    "class",
    "lang",
    "dir",
    # Boolean attributes, written without "=".
    "defer",
    "readonly",
    "novalidate",
    "async",
}
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_TAG_RE = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
_ATTRIBUTE_RE = re.compile(r"\s([a-zA-Z][a-zA-Z0-9:_-]*)=[\"'{]")
# Browsers drop these anywhere in an address before reading its scheme.
_IGNORED_IN_URL = re.compile(r"[\t\n\r]")
_LEADING_IGNORED = "".join(chr(c) for c in range(0x21))


def _template_vocabulary() -> tuple[set[str], set[str]]:
    tags: set[str] = set()
    attributes: set[str] = set()
    for path in (ROOT / "gazette").glob("**/templates/**/*.html"):
        text = path.read_text()
        tags.update(t.lower() for t in _TAG_RE.findall(text))
        attributes.update(a.lower() for a in _ATTRIBUTE_RE.findall(text))
    return tags, attributes


TEMPLATE_TAGS, TEMPLATE_ATTRIBUTES = _template_vocabulary()
# Elements Django's form widgets and Python helpers write (search snippets
# mark the words found), which the template files do not.
WRITTEN_TAGS = {"input", "textarea", "select", "option", "optgroup", "label", "mark"}
PAGE_TAGS = TEMPLATE_TAGS | HTML_TAGS | WRITTEN_TAGS | {"html", "head", "body", "tbody"}
# Classes a stored body may carry: the renderer's own and the layout ones.
STORED_CLASSES = {
    tag: ALLOWED_CLASSES.get(tag, set()) | HTML_CLASSES.get(tag, set())
    for tag in ALLOWED_CLASSES.keys() | HTML_CLASSES.keys()
}
PAGE_ATTRIBUTES = (
    TEMPLATE_ATTRIBUTES
    | WIDGET_ATTRIBUTES
    | {name for names in HTML_ATTRIBUTES.values() for name in names}
)
# What no page of Gazette's may hold except as noted in `_element_problems`.
DANGEROUS_TAGS = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "template",
    "noscript",
    "svg",
    "math",
    "xmp",
    "plaintext",
    "noembed",
    "noframes",
    "isindex",
    "keygen",
    "marquee",
    "portal",
}


def url_problem(value: str) -> str | None:
    """Why an address may not stand in a page, or None when it may."""
    cleaned = _IGNORED_IN_URL.sub("", value).lstrip(_LEADING_IGNORED)
    match = _SCHEME_RE.match(cleaned)
    if match and match.group(1).lower() not in SAFE_SCHEMES:
        return f"address with scheme {match.group(1)!r}: {value[:60]!r}"
    return None


def _local(tag: str) -> tuple[str, str]:
    """(namespace, name) of an html5lib etree tag."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _attribute_name(name: str) -> str:
    namespace, local = _local(name)
    return f"xlink:{local}" if namespace.endswith("xlink") else local


def parse_page(markup: str) -> Element:
    return html5lib.parse(markup, treebuilder="etree", namespaceHTMLElements=False)


def parse_fragment(markup: str) -> Element:
    return html5lib.parseFragment(
        markup, treebuilder="etree", namespaceHTMLElements=False
    )


def page_problems(markup: str, where: str = "") -> list[str]:
    """Everything in a whole page that came from input and should not be there."""
    return tree_problems(parse_page(markup), where)


# Run in the browser: the page as Chromium parsed it, as nested lists
# [tag, namespace, [[name, value]...], text, [children...]], for `dom_tree`.
DOM_DUMP_SCRIPT = """() => {
  const HTML = "http://www.w3.org/1999/xhtml";
  const dump = (el) => [
    el.localName,
    el.namespaceURI === HTML ? "" : el.namespaceURI || "",
    Array.from(el.attributes, (a) => [a.name, a.value]),
    el.localName === "script" ? el.textContent : "",
    Array.from(el.children, dump),
  ];
  return dump(document.documentElement);
}"""


def dom_tree(dump: list) -> Element:
    """An element tree like html5lib's from the browser's DOM_DUMP_SCRIPT."""
    tag, namespace, attributes, text, children = dump
    element = Element(f"{{{namespace}}}{tag}" if namespace else tag)
    for name, value in attributes:
        element.set(name, value)
    element.text = text or None
    element.extend(dom_tree(child) for child in children)
    return element


def tree_problems(root: Element, where: str = "") -> list[str]:
    problems: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        problems.extend(_element_problems(element))
        classes = (element.get("class") or "").split()
        if "post-body" in classes:
            problems.extend(stored_html_problems(element, HTML_TAGS))
        elif "comment-body" in classes:
            problems.extend(stored_html_problems(element, COMMENT_TAGS))
    return [f"{where}: {p}" for p in problems]


def _element_problems(element: Element) -> list[str]:
    namespace, tag = _local(element.tag)
    problems = []
    if namespace:
        problems.append(f"<{tag}> in namespace {namespace}")
    elif tag not in PAGE_TAGS:
        problems.append(f"<{tag}> element no template writes")
    if tag in DANGEROUS_TAGS and not _is_own(element, tag):
        problems.append(f"<{tag}> element: {_describe(element)}")
    if tag == "meta" and element.get("http-equiv") is not None:
        problems.append(f"<meta http-equiv>: {_describe(element)}")
    for raw_name, value in element.attrib.items():
        name = _attribute_name(raw_name)
        if name.startswith("on"):
            problems.append(f"{name} handler on <{tag}>: {value[:60]!r}")
        elif name not in PAGE_ATTRIBUTES and not name.startswith(("aria-", "data-")):
            problems.append(f"attribute {name} no template writes, on <{tag}>")
        if name in URL_ATTRIBUTES and (problem := url_problem(value)):
            problems.append(f"{problem} in {name} of <{tag}>")
        if name in ("srcset", "imagesrcset"):
            for candidate in value.split(","):
                address = candidate.strip().split(" ")[0]
                if problem := url_problem(address):
                    problems.append(f"{problem} in srcset of <{tag}>")
        if name == "style":
            problems.append(f"style attribute on <{tag}>")
    return problems


def _is_own(element: Element, tag: str) -> bool:
    """The page's own scripts (static files, JSON-LD data) and video players."""
    if tag == "script":
        if element.get("type") == "application/ld+json":
            try:
                json.loads(element.text or "")
            except ValueError:
                return False
            return True
        src = element.get("src") or ""
        return src.startswith("/static/") and not (element.text or "").strip()
    if tag == "iframe":
        src = element.get("src") or ""
        parts = urlsplit(src)
        return parts.scheme == "https" and parts.hostname in VIDEO_HOSTS
    return False


def _describe(element: Element) -> str:
    attributes = " ".join(f"{k}={v[:40]!r}" for k, v in element.attrib.items())
    text = (element.text or "")[:60]
    return f"<{_local(element.tag)[1]} {attributes}>{text!r}"


def stored_html_problems(container: Element, tags: set[str]) -> list[str]:
    """Stored HTML (a body, a comment) against the allow-list it was cleaned with."""
    problems = []
    for element in container.iter():
        if element is container or not isinstance(element.tag, str):
            continue
        namespace, tag = _local(element.tag)
        if namespace or tag not in tags:
            problems.append(f"<{tag}> in stored HTML: {_describe(element)}")
            continue
        allowed = HTML_ATTRIBUTES.get(tag, set())
        for raw_name, value in element.attrib.items():
            name = _attribute_name(raw_name)
            if name == "class":
                unknown = set(value.split()) - STORED_CLASSES.get(tag, set())
                if unknown:
                    problems.append(
                        f"class {sorted(unknown)} on <{tag}> in stored HTML"
                    )
            elif name == "rel" and tag == "a":
                continue
            elif name not in allowed:
                problems.append(
                    f"attribute {name}={value[:40]!r} on <{tag}> in stored HTML"
                )
        if tag == "iframe" and not _is_own(element, tag):
            problems.append(f"<iframe> to {element.get('src')!r} in stored HTML")
    return problems


def html_field_problems(text: str, where: str, *, markup_allowed: bool) -> list[str]:
    """A text a feed reader shows as HTML: allowed markup only, or none at all."""
    fragment = parse_fragment(text)
    problems = []
    if not markup_allowed:
        for element in fragment.iter():
            if element is not fragment and isinstance(element.tag, str):
                problems.append(f"markup in a text field: {_describe(element)}")
        return [f"{where}: {p}" for p in problems]
    for element in fragment.iter():
        if element is not fragment and isinstance(element.tag, str):
            problems.extend(_element_problems(element))
    problems.extend(stored_html_problems(fragment, HTML_TAGS | COMMENT_TAGS))
    return [f"{where}: {p}" for p in problems]


def feed_problems(body: bytes, where: str) -> list[str]:
    """An RSS 2.0 or Atom feed, read as a reader that renders HTML would."""
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as error:
        return [f"{where}: not well-formed XML: {error}"]
    problems = []
    atom = "{http://www.w3.org/2005/Atom}"
    if root.tag == "rss":
        for element in root.iter("title", "description"):
            # Readers take RSS titles as HTML: they must hold text only, with
            # any "<" escaped twice. An item's description is HTML.
            parent = element.getparent()
            is_item_description = (
                element.tag == "description"
                and parent is not None
                and parent.tag == "item"
            )
            problems += html_field_problems(
                element.text or "",
                f"{where} <{element.tag}>",
                markup_allowed=is_item_description,
            )
        for element in root.iter("link", "comments"):
            if problem := url_problem(element.text or ""):
                problems.append(f"{where} <{element.tag}>: {problem}")
    elif root.tag == f"{atom}feed":
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            if element.get("type") == "html":
                problems += html_field_problems(
                    element.text or "", f"{where} {element.tag}", markup_allowed=True
                )
            if element.tag == f"{atom}link" and (
                problem := url_problem(element.get("href", ""))
            ):
                problems.append(f"{where} <link>: {problem}")
            if element.tag == f"{atom}uri" and (
                problem := url_problem(element.text or "")
            ):
                problems.append(f"{where} <uri>: {problem}")
    else:
        problems.append(f"{where}: neither RSS nor Atom ({root.tag})")
    return problems


def sitemap_problems(body: bytes, where: str) -> list[str]:
    try:
        root = etree.fromstring(body)
    except etree.XMLSyntaxError as error:
        return [f"{where}: not well-formed XML: {error}"]
    problems = []
    for element in root.iter("{*}loc"):
        text = element.text or ""
        if not text.startswith(("http://", "https://")):
            problems.append(f"{where}: <loc> {text[:60]!r}")
    return problems
