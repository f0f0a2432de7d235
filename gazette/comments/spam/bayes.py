"""A naive Bayes spam classifier in the style of Robinson's chi-squared method.

Each feature gets a probability that a comment holding it is spam, from how many
spam and non-spam comments held it (smoothed towards 0.5 when it is rare); the
strongest ones are combined with Fisher's method into one score between 0 (surely
not spam) and 1 (surely spam). Scores near 0.5 mean the evidence is thin or
mixed, which is what the "hold" threshold is for.

Counts come from two places added together: the built-in model, feature counts
from real mail shipped in `built_in_model.json` and read once per process, and
`SpamToken` rows in the database, which every moderation decision updates (so a
rolled-back decision teaches nothing, and every app server shares what was
taught). The built-in counts are worth only 100 comments, and until the blog has
taught 200 `humble` keeps scores away from the spam folder.
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gazette.comments.spam.features import features

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"
# Feature counts derived from the SpamAssassin public corpus (PDDL 1.0 / CC0 1.0)
# by scripts/build_spam_model.py; the text itself is not shipped.
MODEL_PATH = Path(__file__).resolve().parent / "built_in_model.json"
# Out of the box a score is pulled towards neutral by this factor and moved down
# by the benefit of the doubt (at most 0.45 + 0.5 * 0.75 = 0.825, under the
# default spam-folder threshold of 0.98); both fade as moderation teaches, gone
# after TAUGHT_ENOUGH comments.
FIRST_CONFIDENCE = 0.75
BENEFIT_OF_THE_DOUBT = 0.05
TAUGHT_ENOUGH = 200
# Features that mean spam on any blog, so they need no teaching to be believed.
SURE_SIGNS = frozenset({"links:30+"})
STRENGTH = 0.45  # how strongly a rare feature is pulled towards NEUTRAL
NEUTRAL = 0.5
MIN_DISTANCE = 0.1  # features closer than this to 0.5 say nothing
MAX_CLUES = 150
ENOUGH_CLUES = 3  # fewer clues than this pull the score towards NEUTRAL


@dataclass
class Counts:
    """How many spam and non-spam comments held each feature, and in all."""

    spam: dict[str, float]
    ham: dict[str, float]
    spam_messages: float = 0
    ham_messages: float = 0

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


def feature_probability(
    spam: float, ham: float, spam_total: float, ham_total: float
) -> float:
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
    value = (1.0 + spam_evidence - ham_evidence) / 2.0
    # One or two clues are thin evidence ("Text me when you're here").
    value = NEUTRAL + (value - NEUTRAL) * min(n / ENOUGH_CLUES, 1.0)
    return Score(value, clues)


class Lookup:
    """Counts from several `Counts` added together."""

    def __init__(self, *tables: Counts):
        self.tables = tables
        self.totals = (
            sum(t.spam_messages for t in tables),
            sum(t.ham_messages for t in tables),
        )

    def __call__(self, feature: str) -> tuple[float, float]:
        return (
            sum(t.spam.get(feature, 0) for t in self.tables),
            sum(t.ham.get(feature, 0) for t in self.tables),
        )


def read_corpus(label: str) -> list[dict]:
    """The project's own labelled comments (`label` "ham" or "spam"), kept for
    testing the mechanics; the built-in model does not learn from them."""
    path = CORPUS_DIR / f"{label}.jsonl"
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def comment_features(item: dict) -> set[str]:
    return features(
        item.get("name", ""), item.get("email", ""), item.get("url", ""), item["body"]
    )


def read_model_file(path: Path = MODEL_PATH) -> Counts:
    """The built-in model's counts, scaled down to `weight` comments in all, so
    that a blog's own moderation soon outweighs them."""
    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    scale = data["weight"] / max(data["spam_messages"] + data["ham_messages"], 1)
    counts = Counts.empty()
    for feature, (spam, ham) in data["features"].items():
        if spam:
            counts.spam[feature] = spam * scale
        if ham:
            counts.ham[feature] = ham * scale
    counts.spam_messages = data["spam_messages"] * scale
    counts.ham_messages = data["ham_messages"] * scale
    return counts


@cache
def built_in_counts() -> Counts:
    """The built-in model, read once per process from the shipped data file."""
    return read_model_file()


def humble(raw: float, learned_messages: float, feature_set: set[str]) -> float:
    """Pull a score towards neutral while the blog has taught the classifier
    little, so that out of the box it holds what it is unsure of rather than
    calling it spam, and gives a comment it knows nothing about the benefit of
    the doubt (a little under the default hold threshold of 0.5). A sign of spam
    that holds on any blog (SURE_SIGNS) keeps the full score."""
    if feature_set & SURE_SIGNS:
        return raw
    untaught = 1.0 - min(learned_messages / TAUGHT_ENOUGH, 1.0)
    confidence = 1.0 - (1.0 - FIRST_CONFIDENCE) * untaught
    centre = NEUTRAL - BENEFIT_OF_THE_DOUBT * untaught
    return centre + (raw - NEUTRAL) * confidence
