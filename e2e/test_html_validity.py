"""Every kind of page, reader's and desk's, checked by the Nu HTML checker.

The checker (vnu.jar, fetched by `make validators`) is the one behind
validator.w3.org. The pages are taken from the live server as a browser
receives them, the reader's in every built-in theme (checked_pages.py), saved
in a temporary folder and checked in one run of the checker: starting Java
takes a second or two, so it is never started per page or per theme.
"""

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.text import slugify
from playwright.sync_api import Response

from e2e.browser import BrowserTestCase
from e2e.checked_pages import JAVA, PAGE_COUNT, build_blog, tour, validator_file
from gazette.site.models import Theme


@dataclass
class NuError:
    page: str
    file: str
    line: int | None
    message: str
    extract: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "whole file"
        extract = " ".join(self.extract.split())[:120]
        return f"{self.file}, {where}: {self.message}" + (
            f"\n      {extract}" if extract else ""
        )


def report(errors: list[NuError]) -> str:
    """The errors grouped by page, for a failing test's message."""
    lines = [f"The Nu HTML checker found {len(errors)} errors:"]
    page = None
    for error in errors:
        if error.page != page:
            page = error.page
            lines.append(f"{page}:")
        lines.append(f"  {error}")
    return "\n".join(lines)


def check_html(files: dict[str, Path]) -> list[NuError]:
    """Run the Nu checker once over the saved pages; its errors, in page order.

    `files` maps each page's name to its saved HTML."""
    vnu = validator_file("vnu.jar")
    # The checker names each file by a file: URL of its own style; its base name is
    # enough to know the page.
    names = {path.name: name for name, path in files.items()}
    checked = subprocess.run(
        [JAVA, "-jar", str(vnu), "--errors-only", "--format", "json", "--stdout"]
        + [str(path) for path in files.values()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    try:
        messages = json.loads(checked.stdout)["messages"]
    except (ValueError, KeyError):
        raise AssertionError(
            f"The Nu checker did not answer in JSON (exit {checked.returncode}):\n"
            f"{checked.stdout[-2000:]}\n{checked.stderr[-2000:]}"
        ) from None
    order = list(files)
    errors = []
    for message in messages:
        # "non-document-error" is the checker failing to read a file: also a failure.
        if message.get("type") not in ("error", "non-document-error"):
            continue
        file = message.get("url", "?").rpartition("/")[2]
        error = NuError(
            names.get(file, file),
            file,
            message.get("lastLine"),
            message.get("message", ""),
            message.get("extract", ""),
        )
        errors.append(error)
    errors.sort(key=lambda e: order.index(e.page) if e.page in order else -1)
    return errors


# Valid but for its missing <title>.
CANARY = '<!doctype html><html lang="en"><body><p>No title.</p></body></html>'


class HtmlValidityTest(BrowserTestCase):
    def test_every_kind_of_page_is_valid_html_in_every_theme(self):
        blog = build_blog()
        with tempfile.TemporaryDirectory(prefix="gazette-nu-") as folder:
            files: dict[str, Path] = {}

            def save(name: str, response: Response) -> None:
                path = Path(folder) / f"{len(files):02d}-{slugify(name)}.html"
                path.write_bytes(response.body())
                files[name] = path

            tour(self.page, self.live_server_url, blog, save)
            # The tour saw each theme's body class in the browser; the saved
            # HTML is what the checker reads, so it must be in the theme too.
            for theme in Theme.values:
                in_theme = [p for n, p in files.items() if n.startswith(f"{theme}: ")]
                self.assertTrue(in_theme, f"no page was saved in the {theme} theme")
                for path in in_theme:
                    self.assertIn(f'class="theme-{theme} ', path.read_text(), path.name)
            # A page with a known mistake goes in the same run, as proof that the
            # checker ran and read every file.
            canary = Path(folder) / "canary.html"
            canary.write_text(CANARY)
            errors = check_html(files | {"canary": canary})

        caught = [error for error in errors if error.page == "canary"]
        self.assertEqual(len(caught), 1, report(caught))
        self.assertIn("“title”", caught[0].message)
        errors = [error for error in errors if error.page != "canary"]

        self.assertEqual(len(files), PAGE_COUNT)
        self.assertEqual(len(errors), 0, report(errors))
