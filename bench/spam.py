"""How well the built-in spam classifier sorts the shipped corpus, with the
blog's default thresholds, measured two ways:

* k-fold cross-validation over the whole corpus;
* leave one kind out: each kind of spam (pharma, casino, ...) and each topic of
  ordinary comments is scored by a model that never saw that kind, which is
  closer to meeting a new spam campaign or a post on a new subject.
"""

import random
import statistics
import time

FOLDS = 10


def run(folds: int = FOLDS, seed: int = 7) -> None:
    from gazette.comments.spam import bayes
    from gazette.site.models import SiteSettings

    defaults = SiteSettings()
    thresholds = defaults.spam_hold_threshold, defaults.spam_reject_threshold
    items = [(item, False) for item in bayes.read_corpus("ham")]
    items += [(item, True) for item in bayes.read_corpus("spam")]
    random.Random(seed).shuffle(items)
    rows = [
        (bayes.comment_features(item), is_spam, item.get("kind", ""))
        for item, is_spam in items
    ]
    print(
        f"corpus: {sum(not s for _, s, _ in rows)} ham, {sum(s for _, s, _ in rows)}"
        f" spam; thresholds: hold at {thresholds[0]}, spam folder at {thresholds[1]}"
    )

    timings: list[float] = []
    outcome = _empty()
    for fold in range(folds):
        train = [r for i, r in enumerate(rows) if i % folds != fold]
        _score(train, rows[fold::folds], thresholds, outcome, timings)
    _report(f"{folds}-fold cross-validation", outcome)

    outcome = _empty()
    for kind in sorted({k for _, _, k in rows}):
        train = [r for r in rows if r[2] != kind]
        _score(train, [r for r in rows if r[2] == kind], thresholds, outcome, [])
    _report("leave one kind out", outcome)
    print(f"scoring time: p50 {statistics.median(timings):.3f} ms per comment")


def _empty() -> dict:
    return {True: [0, 0, 0], False: [0, 0, 0]}  # passed, held, spam folder


def _score(train, test, thresholds, outcome, timings) -> None:
    from gazette.comments.spam import bayes

    counts = bayes.Counts.empty()
    for feature_set, is_spam, _ in train:
        counts.learn(feature_set, is_spam)
    lookup = bayes.Lookup(counts)
    hold, reject = thresholds
    for feature_set, is_spam, _ in test:
        start = time.perf_counter()
        value = bayes.score(feature_set, lookup).value
        timings.append((time.perf_counter() - start) * 1000)
        outcome[is_spam][2 if value >= reject else 1 if value >= hold else 0] += 1


def _report(title: str, outcome: dict) -> None:
    spam, ham = outcome[True], outcome[False]

    def rate(part: int, whole: list[int]) -> str:
        return f"{part / sum(whole):7.2%}   ({part}/{sum(whole)})"

    print(f"-- {title}")
    print(f"spam caught (held or spam folder): {rate(spam[1] + spam[2], spam)}")
    print(f"spam sent to the spam folder:      {rate(spam[2], spam)}")
    print(f"ham lost to the spam folder:       {rate(ham[2], ham)}")
    print(f"ham held for moderation:           {rate(ham[1], ham)}")
