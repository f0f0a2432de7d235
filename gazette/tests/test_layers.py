"""Layers point one way: lib and the site app import no feature app; posts
imports no app above it; search and feeds read posts through public functions."""

import ast
from pathlib import Path

from django.test import SimpleTestCase

GAZETTE = Path(__file__).resolve().parents[1]
# What each part may not import, whatever the module (tests and migrations aside).
FORBIDDEN = {
    "lib": ("site", "posts", "images", "comments", "desk", "search", "demo"),
    "site": ("posts", "images", "comments", "desk", "search", "demo"),
    "limits": ("posts", "images", "comments", "desk", "search", "demo", "importers"),
    "images": ("posts", "comments", "desk", "search", "demo", "importers"),
    "posts": ("comments", "desk", "search", "demo", "importers", "federation"),
    "comments": ("desk", "search", "demo", "importers"),
    "search": ("desk", "comments", "demo", "importers"),
    "importers": ("desk", "demo"),
    "webmentions": ("desk", "search", "demo", "importers"),
    "federation": ("desk", "search", "demo", "importers", "webmentions"),
}


def imported_apps(path: Path) -> set[str]:
    """The gazette parts a module imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "gazette" and len(parts) > 1:
                found.add(parts[1])
    return found


class LayersTest(SimpleTestCase):
    def test_no_part_imports_a_layer_above_it(self):
        wrong = []
        for part, forbidden in FORBIDDEN.items():
            for path in sorted((GAZETTE / part).rglob("*.py")):
                if {"tests", "migrations"} & set(path.parts):
                    continue
                for app in imported_apps(path) & set(forbidden):
                    wrong.append(f"{path.relative_to(GAZETTE)} imports gazette.{app}")
        self.assertEqual(wrong, [])

    def test_the_check_sees_imports_inside_functions(self):
        sample = GAZETTE / "comments" / "templatetags" / "comment_tags.py"
        self.assertIn("comments", imported_apps(sample))
