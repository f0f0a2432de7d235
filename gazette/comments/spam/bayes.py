"""A naive Bayes spam classifier in the style of Robinson's chi-squared method.

Each feature gets a probability that a comment holding it is spam, from how many
spam and non-spam comments held it (smoothed towards 0.5 when it is rare); the
strongest ones are combined with Fisher's method into one score between 0 (surely
not spam) and 1 (surely spam). Scores near 0.5 mean the evidence is thin or
mixed, which is what the "hold" threshold is for.

Counts come from two places added together: the built-in model, learned once per
process from the corpus shipped in `gazette/comments/corpus/`, and `SpamToken`
rows, which every moderation decision updates.
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gazette.comments.spam.features import features

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"
STRENGTH = 0.45  # how strongly a rare feature is pulled towards NEUTRAL
NEUTRAL = 0.5
MIN_DISTANCE = 0.1  # features closer than this to 0.5 say nothing
MAX_CLUES = 150


@dataclass
class Counts:
    """How many spam and non-spam comments held each feature, and in all."""

    spam: dict[str, int]
    ham: dict[str, int]
    spam_messages: int = 0
    ham_messages: int = 0

    @classmethod
    def empty(cls) -> "Counts":
        return cls({}, {})

    def learn(self, feature_set: set[str], is_spam: bool) -> None:
        table = self.spam if is_spam else self.ham
        for feature in feature_set:
            table[feature] = table.get(feature, 0) + 1
        if is_spam:
            self.spam_messages += 1
        else:
            self.ham_messages += 1


@dataclass
class Score:
    value: float
    clues: list[tuple[str, float]]  # strongest first: (feature, probability)

    def summary(self, count: int = 4) -> str:
        """ "0.97 from casino, link-word:bonus, ..." for the moderation queue."""
        spammy = [f for f, p in self.clues if p > NEUTRAL][:count]
        hammy = [f for f, p in self.clues if p < NEUTRAL][:count]
        parts = [f"Classifier score {self.value:.2f}"]
        if spammy:
            parts.append("spam-like: " + ", ".join(spammy))
        if hammy:
            parts.append("ordinary: " + ", ".join(hammy))
        return "; ".join(parts)


def feature_probability(spam: int, ham: int, spam_total: int, ham_total: int) -> float:
    """Robinson's f(w): the spam probability of one feature, smoothed."""
    spam_ratio = spam / max(spam_total, 1)
    ham_ratio = ham / max(ham_total, 1)
    if spam_ratio + ham_ratio == 0:
        return NEUTRAL
    p = spam_ratio / (spam_ratio + ham_ratio)
    n = spam + ham
    return (STRENGTH * NEUTRAL + n * p) / (STRENGTH + n)


def chi2_tail(chi: float, freedom: int) -> float:
    """P(X >= chi) for a chi-squared variable with an even number of degrees."""
    m = chi / 2.0
    term = total = math.exp(-m)
    for i in range(1, freedom // 2):
        term *= m / i
        total += term
    return min(total, 1.0)


def score(feature_set: set[str], lookup) -> Score:
    """Combine the evidence of `feature_set`; `lookup(feature)` gives
    (spam count, ham count) and `lookup.totals` the numbers of messages."""
    spam_total, ham_total = lookup.totals
    clues = []
    for feature in feature_set:
        spam, ham = lookup(feature)
        p = feature_probability(spam, ham, spam_total, ham_total)
        if abs(p - NEUTRAL) >= MIN_DISTANCE:
            clues.append((feature, min(max(p, 0.01), 0.99)))
    clues.sort(key=lambda clue: (-abs(clue[1] - NEUTRAL), clue[0]))
    clues = clues[:MAX_CLUES]
    if not clues:
        return Score(NEUTRAL, [])
    n = len(clues)
    spam_evidence = 1.0 - chi2_tail(
        -2.0 * sum(math.log(1 - p) for _, p in clues), 2 * n
    )
    ham_evidence = 1.0 - chi2_tail(-2.0 * sum(math.log(p) for _, p in clues), 2 * n)
    return Score((1.0 + spam_evidence - ham_evidence) / 2.0, clues)


class Lookup:
    """Counts from several `Counts` added together."""

    def __init__(self, *tables: Counts):
        self.tables = tables
        self.totals = (
            sum(t.spam_messages for t in tables),
            sum(t.ham_messages for t in tables),
        )

    def __call__(self, feature: str) -> tuple[int, int]:
        return (
            sum(t.spam.get(feature, 0) for t in self.tables),
            sum(t.ham.get(feature, 0) for t in self.tables),
        )


def read_corpus(label: str) -> list[dict]:
    """The shipped, labelled comments: `label` is "ham" or "spam"."""
    path = CORPUS_DIR / f"{label}.jsonl"
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def comment_features(item: dict) -> set[str]:
    return features(
        item.get("name", ""), item.get("email", ""), item.get("url", ""), item["body"]
    )


@cache
def built_in_counts() -> Counts:
    """The built-in model: the shipped corpus, learned once per process."""
    counts = Counts.empty()
    for label in ("ham", "spam"):
        for item in read_corpus(label):
            counts.learn(comment_features(item), is_spam=label == "spam")
    return counts
