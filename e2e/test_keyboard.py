"""A reader with only a keyboard reaches everything, and always sees where they are.

On the home page and a post page, in every built-in theme and in light and
dark, the test presses Tab and nothing else: the first press lands on the skip
link, which must come into view; Enter on it moves focus to the content; and
tabbing on reaches the search box, links to posts and every field and button of
the comment form. Each element focused on the way must be on screen and wear a
focus indicator (an outline or a box shadow) that stands out from what is
behind it, as WCAG 2.4.7 (focus visible) and 1.4.11 (non-text contrast) ask.
"""

from dataclasses import dataclass

from django.conf import settings
from playwright.sync_api import Page

from e2e.browser import BrowserTestCase
from e2e.checked_pages import build_blog, use_theme
from gazette.site.models import Theme

# The focused element as the test needs it, measured by the browser: what it
# is, whether it is on screen, its focus indicator, and the contrast of the
# indicator against the nearest opaque background around it (1 to 21).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const label = el.labels && el.labels.length ? el.labels[0].textContent
    : el.getAttribute("aria-label") || el.textContent || el.getAttribute("name") || "";
  const rgba = (colour) => {
    const parts = colour.match(/[\\d.]+/g) || ["0", "0", "0", "0"];
    return parts.map(Number).concat([1]).slice(0, 4);
  };
  const luminance = ([r, g, b]) => {
    const linear = (c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  // The outline is drawn around the element, over its parent's background.
  let behind = [255, 255, 255, 1];
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = rgba(getComputedStyle(node).backgroundColor);
    if (colour[3] > 0) { behind = colour; break; }
  }
  const [lighter, darker] = [luminance(rgba(style.outlineColor)), luminance(behind)]
    .sort((a, b) => b - a);
  return {
    tag: el.tagName.toLowerCase(),
    label: label.replace(/\\s+/g, " ").trim().slice(0, 60),
    id: el.id,
    classes: el.className && typeof el.className === "string" ? el.className : "",
    href: el.getAttribute("href"),
    isPostLink: !!el.closest(".post-title, .related-posts, .blog-pager")
      && el.matches("a:not(.home)"),
    inCommentForm: !!el.closest("#comment-form"),
    // Scrolling a focused element into view may leave it a fraction of a
    // pixel past the edge, hence the pixel of slack.
    // A tall text box is scrolled only until its caret shows: its top edge
    // must be in the window; anything else must be wholly in it.
    onScreen: rect.width > 0 && rect.height > 0 && rect.left >= -1
      && rect.right <= innerWidth + 1 && rect.top >= -1 && (el.tagName === "TEXTAREA"
        ? rect.top < innerHeight - 16 : rect.bottom <= innerHeight + 1),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    outlineContrast: (lighter + 0.05) / (darker + 0.05),
    boxShadow: style.boxShadow,
  };
}"""

# More Tab presses than any page has things to focus: a walk that reaches it is
# caught in a loop.
MOST_TABS = 250

# WCAG 1.4.11: a focus indicator needs 3:1 against what is next to it.
INDICATOR_CONTRAST = 3.0


@dataclass
class Focused:
    tag: str
    label: str
    id: str
    classes: str
    href: str | None
    isPostLink: bool
    inCommentForm: bool
    onScreen: bool
    outlineStyle: str
    outlineWidth: float
    outlineContrast: float
    boxShadow: str

    def __str__(self) -> str:
        name = f"#{self.id}" if self.id else f".{self.classes}" if self.classes else ""
        return f"<{self.tag}{name}> {self.label!r}"

    def indicator_problem(self) -> str | None:
        """Why the focus cannot be seen on this element, or None when it can."""
        if self.boxShadow not in ("", "none"):
            return None
        if self.outlineStyle == "none" or self.outlineWidth <= 0:
            return "no outline and no box shadow"
        if self.outlineContrast < INDICATOR_CONTRAST:
            return (
                f"outline contrast {self.outlineContrast:.2f}:1 against its background"
            )
        return None


def focused(page: Page) -> Focused | None:
    found = page.evaluate(FOCUSED)
    return Focused(**found) if found else None


def tab_through(page: Page) -> list[Focused]:
    """Press Tab from the top of the page until focus leaves the page; what
    was focused on the way, in order."""
    walked: list[Focused] = []
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        # Past the last element, focus leaves the page, or comes round to the
        # first one again.
        if element is None or (walked and str(element) == str(walked[0])):
            return walked
        # A date and time field takes one Tab per part (day, month, year...),
        # each part highlighted by the browser itself: checked once, on entry.
        if walked and str(element) == str(walked[-1]):
            continue
        walked.append(element)
    raise AssertionError(f"{MOST_TABS} presses of Tab never left the page")


class KeyboardTest(BrowserTestCase):
    def check_page(self, page: Page, url: str, where: str, post: bool) -> list[str]:
        """The keyboard problems on one page, each a line of the report."""
        problems: list[str] = []

        # The skip link first, brought into view, and Enter moves to the content.
        page.goto(url)
        page.keyboard.press("Tab")
        first = focused(page)
        if first is None or "skip-link" not in first.classes.split():
            return [f"{where}: the first Tab focused {first}, not the skip link"]
        if not first.onScreen:
            problems.append(f"{where}: the focused skip link is not on screen")
        page.keyboard.press("Enter")
        if not page.evaluate("document.activeElement.matches('main#content')"):
            problems.append(
                f"{where}: Enter on the skip link left focus on {focused(page)}"
            )
        else:
            # The next Tab carries on from the content, not from the top.
            page.keyboard.press("Tab")
            if not page.evaluate("!!document.activeElement.closest('main')"):
                problems.append(f"{where}: Tab after skipping went to {focused(page)}")

        page.goto(url)
        walked = tab_through(page)
        for element in walked:
            if not element.onScreen:
                problems.append(f"{where}: {element} is focused off screen")
            if why := element.indicator_problem():
                problems.append(f"{where}: {element} shows no visible focus ({why})")

        wanted = {
            "the search box": any(e.id == "search-text" for e in walked),
            "a link to a post": any(e.isPostLink for e in walked),
        }
        if post:
            in_form = [e for e in walked if e.inCommentForm]
            labels = {e.label for e in in_form}
            for label in (
                "Name",
                "Email (optional, never shown)",
                "Website (optional)",
            ):
                wanted[f"the comment form's {label!r}"] = label in labels
            wanted["the comment form's 'Comment'"] = any(
                e.tag == "textarea" for e in in_form
            )
            wanted["the reply notifications box"] = (
                "Email me replies to my comment" in labels
            )
            wanted["the 'Publish comment' button"] = any(
                e.tag == "button" and e.label == "Publish comment" for e in in_form
            )
        problems += [
            f"{where}: Tab never reached {what}"
            for what, ok in wanted.items()
            if not ok
        ]
        return problems

    def test_every_theme_can_be_used_with_the_keyboard_alone(self):
        blog = build_blog()
        pages = {"home": "/", "post": blog.post.get_absolute_url()}
        problems: list[str] = []
        for theme in Theme.values:
            use_theme(theme)
            for scheme in ("light", "dark"):
                self.page.emulate_media(color_scheme=scheme)
                for name, path in pages.items():
                    where = f"{theme}, {scheme}, {name}"
                    problems += self.check_page(
                        self.page, self.live_server_url + path, where, name == "post"
                    )
                    body_class = self.page.evaluate("document.body.className")
                    self.assertIn(f"theme-{theme}", body_class.split(), where)
        self.assertEqual(len(problems), 0, "\n".join(problems))

    def test_the_desk_can_be_used_with_the_keyboard_alone(self):
        blog = build_blog()
        self.page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": blog.admin_session,
                    "url": self.live_server_url,
                }
            ]
        )
        # The screens an author spends their time in, and what each must reach.
        screens = {
            "/desk/": "New post",
            f"/desk/posts/{blog.post.pk}/": "Update",
            "/desk/comments/": "Approve",
            "/desk/settings/": "Save settings",
        }
        problems: list[str] = []
        for path, button in screens.items():
            self.page.goto(self.live_server_url + path)
            walked = tab_through(self.page)
            for element in walked:
                if not element.onScreen:
                    problems.append(f"{path}: {element} is focused off screen")
                if why := element.indicator_problem():
                    problems.append(f"{path}: {element} shows no visible focus ({why})")
            if not any(element.label.startswith(button) for element in walked):
                problems.append(f"{path}: Tab never reached {button!r}")
        self.assertEqual(len(problems), 0, "\n".join(problems))
