"""Every kind of page, reader's and desk's, in light and dark, checked by axe-core.

axe-core (axe.min.js, fetched by `make validators`) is the engine behind most
accessibility checkers readers' and auditors' tools use. It runs inside
Chromium on each page as the browser laid it out, so colour contrast is
measured on what a reader sees in each colour scheme. The pages are the same
tour the Nu HTML check takes (test_html_validity.py).
"""

from dataclasses import dataclass

from playwright.sync_api import Page, Response

from e2e.browser import BrowserTestCase
from e2e.test_html_validity import build_blog, tour, validator_file

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
    targets: violation.nodes.map((node) => node.target.join(" ")),
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


def report(scheme: str, violations: list[Violation]) -> str:
    """The violations grouped by page, for a failing test's message."""
    lines = [f"axe-core found {len(violations)} violations in the {scheme} scheme:"]
    page = None
    for violation in violations:
        if violation.page != page:
            page = violation.page
            lines.append(f"{page}:")
        lines.append(f"  {violation}")
    return "\n".join(lines)


class AccessibilityTest(BrowserTestCase):
    axe: str  # axe.min.js's source, read once for the class

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.axe = validator_file("axe.min.js").read_text()

    def run_axe(self, page: Page, name: str) -> list[Violation]:
        # Evaluated by the browser's debugging protocol, which the pages' content
        # security policy does not govern: an injected <script> would be refused.
        page.evaluate(self.axe)
        found = page.evaluate(RUN_AXE, AXE_TAGS)
        return [Violation(page=name, **violation) for violation in found]

    def check_every_page(self, scheme: str) -> None:
        blog = build_blog()
        self.page.emulate_media(color_scheme=scheme)
        violations: list[Violation] = []
        checked: list[str] = []

        def check(name: str, response: Response) -> None:
            checked.append(name)
            violations.extend(self.run_axe(self.page, name))

        tour(self.page, self.live_server_url, blog, check)
        self.assertGreaterEqual(len(checked), 19)
        # The scheme held through every page the tour opened.
        in_effect = f"matchMedia('(prefers-color-scheme: {scheme})').matches"
        self.assertTrue(self.page.evaluate(in_effect))
        self.assertEqual(len(violations), 0, report(scheme, violations))

    def test_axe_finds_what_it_should(self):
        # The checks below pass only if axe ran: a page with known faults shows
        # that it does and that its answers are read.
        self.page.set_content('<html><body><img src="/x.png"></body></html>')
        found = {violation.id for violation in self.run_axe(self.page, "faulty")}
        self.assertLessEqual({"html-has-lang", "image-alt", "document-title"}, found)

    def test_every_kind_of_page_passes_axe_in_light(self):
        self.check_every_page("light")

    def test_every_kind_of_page_passes_axe_in_dark(self):
        self.check_every_page("dark")
