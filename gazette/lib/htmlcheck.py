"""A strict reading of HTML for tests: does anything in it run or restyle the page?"""

from html.parser import HTMLParser

RUNNABLE_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "svg",
    "math",
    "form",
    "base",
    "link",
    "meta",
}
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "xlink:href"}


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in RUNNABLE_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}>")
            elif name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            elif name in URL_ATTRIBUTES and value.startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.problems.append(f"{name}={value[:30]!r} on <{tag}>")


def dangerous_parts(html: str) -> list[str]:
    """What in `html` could run script or change the page; empty when harmless."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.problems
