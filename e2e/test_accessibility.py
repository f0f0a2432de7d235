"""Every kind of page, reader's and desk's, in every built-in theme, in light
and in dark, checked by axe-core.

axe-core (axe.min.js, fetched by `make validators`) is the engine behind most
accessibility checkers readers' and auditors' tools use. It runs inside
Chromium on each page as the browser laid it out, so colour contrast is
measured on what a reader sees in each theme and colour scheme. The pages are
the same tour the Nu HTML check takes (checked_pages.py): the reader's in each
theme, the desk's (one look whatever the theme) once per scheme.
"""

from dataclasses import dataclass

from playwright.sync_api import Page, Response

from e2e.browser import BrowserTestCase
from e2e.checked_pages import PAGE_COUNT, build_blog, tour, validator_file

# WCAG 2.0 and 2.1, levels A and AA, and axe's own best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

# Runs axe on the page and hands back only what a report needs, so that little
# crosses from the browser.
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    // A contrast failure also says which colours failed, so that the report
    // alone is enough to fix it.
    targets: violation.nodes.map((node) => {
      const target = node.target.join(" ");
      const data = node.any.concat(node.all).map((check) => check.data)
        .find((data) => data && data.fgColor);
      return data
        ? `${target} (${data.fgColor} on ${data.bgColor}, ${data.contrastRatio}:1,`
          + ` ${data.expectedContrastRatio} needed)`
        : target;
    }),
  }));
}"""


@dataclass
class Violation:
    page: str
    id: str
    impact: str
    help: str
    targets: list[str]

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:3])
        more = f" and {len(self.targets) - 3} more" if len(self.targets) > 3 else ""
        return (
            f"{self.id} ({self.impact}): {self.help}; "
            f"{len(self.targets)} nodes: {shown}{more}"
        )


def report(violations: list[Violation]) -> str:
    """The violations grouped by page, for a failing test's message."""
    lines = [f"axe-core found {len(violations)} violations:"]
    page = None
    for violation in violations:
        if violation.page != page:
            page = violation.page
            lines.append(f"{page}:")
        lines.append(f"  {violation}")
    return "\n".join(lines)


# What shows that a colour scheme is in effect on the page: the browser answers
# the media query, and a reader's page (not the desk's, which stays light) has
# its palette's paper colour.
SCHEME_IN_EFFECT = """(scheme) => ({
  matches: matchMedia(`(prefers-color-scheme: ${scheme})`).matches,
  desk: document.body.classList.contains("desk"),
  paper: getComputedStyle(document.body).backgroundColor,
})"""
SCHEMES = ("light", "dark")


class AccessibilityTest(BrowserTestCase):
    axe: str  # axe.min.js's source, read once for the class

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.axe = validator_file("axe.min.js").read_text()

    def run_axe(self, page: Page, name: str) -> list[Violation]:
        # Evaluated by the browser's debugging protocol, which the pages' content
        # security policy does not govern: an injected <script> would be refused.
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.evaluate(self.axe)
        found = page.evaluate(RUN_AXE, AXE_TAGS)
        return [Violation(page=name, **violation) for violation in found]

    def test_axe_finds_what_it_should(self):
        # The check below passes only if axe ran: a page with known faults shows
        # that it does and that its answers are read.
        self.page.set_content('<html><body><img src="/x.png"></body></html>')
        found = {violation.id for violation in self.run_axe(self.page, "faulty")}
        self.assertLessEqual({"html-has-lang", "image-alt", "document-title"}, found)

    def test_every_kind_of_page_passes_axe_in_every_theme_in_light_and_dark(self):
        blog = build_blog()
        # axe comes with every page the browser opens, rather than sent over
        # the debugging protocol after each one (half a megabyte each time).
        self.page.context.add_init_script(self.axe)
        violations: list[Violation] = []
        checked: list[str] = []

        def check(name: str, response: Response) -> None:
            # Each page is laid out and checked in one scheme, then the other:
            # switching the emulated scheme costs far less than opening it again.
            papers = {}
            for scheme in SCHEMES:
                self.page.emulate_media(color_scheme=scheme)
                state = self.page.evaluate(SCHEME_IN_EFFECT, scheme)
                self.assertTrue(state["matches"], f"{scheme}, {name}: not in {scheme}")
                papers[scheme] = state["paper"]
                violations.extend(self.run_axe(self.page, f"{scheme}, {name}"))
                checked.append(f"{scheme}, {name}")
            if not state["desk"]:
                self.assertNotEqual(
                    papers["light"], papers["dark"], f"{name}: the same in both schemes"
                )

        tour(self.page, self.live_server_url, blog, check)
        self.assertEqual(len(checked), PAGE_COUNT * len(SCHEMES))
        # Light's violations first, then dark's, each in the tour's order.
        violations.sort(key=lambda violation: violation.page.startswith("dark"))
        self.assertEqual(len(violations), 0, report(violations))
