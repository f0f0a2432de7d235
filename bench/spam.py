"""How well the spam defence sorts real mail and SMS spam, and Gazette's own
corpus for comparison, through the real intake and moderation path
(`gazette.comments.spam.evaluation`, as `gazette spam_eval` runs it), on a
throwaway SQLite database with the default thresholds and open comments.

Each corpus is measured three ways: out of the box (the built-in model alone),
5-fold cross-validation, and leaving one group out. The real corpora are
var/corpora/*.jsonl, written by `make corpora` (scripts/corpora/). A run on every
comment takes a while on two cores, so each corpus is sampled (the same sample
every run): GAZETTE_BENCH_SPAM_LIMIT sets how many (0: all of them).
"""

import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "var" / "corpora"
LIMIT = 1000


def run() -> None:
    limit = int(os.environ.get("GAZETTE_BENCH_SPAM_LIMIT", LIMIT)) or None
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from gazette.comments.spam import evaluation

    corpora = {path.stem: evaluation.read_labelled(path) for path in _real_corpora()}
    corpora["gazette (own generated comments)"] = _own_corpus()
    with tempfile.TemporaryDirectory() as tmp:
        settings.DATABASES["default"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
        connections["default"].close()
        call_command("migrate", verbosity=0)
        print(
            f"sample: {limit or 'all'} comments per corpus (GAZETTE_BENCH_SPAM_LIMIT)"
        )
        for name, items in corpora.items():
            chosen = evaluation.sample(items, limit)
            print(f"-- {name}: {len(chosen)} of {len(items)} comments")
            for label, how in (
                ("out of the box", {"out_of_the_box": True}),
                ("5 folds", {"folds": 5}),
                ("by group", {"by_group": True}),
            ):
                began = time.perf_counter()
                result = evaluation.evaluate(chosen, **how)
                took = time.perf_counter() - began
                print(f"{label:15} {result.total.summary()}  [{took:.0f} s]")


def _real_corpora() -> list[Path]:
    found = sorted(CORPORA.glob("*.jsonl"))
    if not found:
        print(f"no real corpora in {CORPORA}: run `make corpora` first")
    return found


def _own_corpus() -> list:
    """Gazette's shipped corpus, grouped by its kinds (each spam kind and each
    topic of ordinary comments is one group)."""
    from gazette.comments.spam import bayes, evaluation

    return [
        evaluation.Labelled(
            name=item.get("name", ""),
            email=item.get("email", ""),
            url=item.get("url", ""),
            body=item["body"],
            spam=label == "spam",
            group=item.get("kind", ""),
        )
        for label in ("ham", "spam")
        for item in bayes.read_corpus(label)
    ]
