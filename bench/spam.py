"""How well the built-in spam classifier sorts the shipped corpus: k-fold
cross-validation, with the blog's default thresholds."""

import random
import statistics
import time

FOLDS = 10


def run(folds: int = FOLDS, seed: int = 7) -> None:
    from gazette.comments.spam import bayes
    from gazette.posts.models import SiteSettings

    defaults = SiteSettings()
    hold, reject = defaults.spam_hold_threshold, defaults.spam_reject_threshold
    items = [(item, False) for item in bayes.read_corpus("ham")]
    items += [(item, True) for item in bayes.read_corpus("spam")]
    random.Random(seed).shuffle(items)
    featured = [(bayes.comment_features(item), is_spam) for item, is_spam in items]

    outcome = {"spam": [0, 0, 0], "ham": [0, 0, 0]}  # passed, held, spam folder
    timings = []
    for fold in range(folds):
        counts = bayes.Counts.empty()
        for i, (feature_set, is_spam) in enumerate(featured):
            if i % folds != fold:
                counts.learn(feature_set, is_spam)
        lookup = bayes.Lookup(counts)
        for feature_set, is_spam in featured[fold::folds]:
            start = time.perf_counter()
            value = bayes.score(feature_set, lookup).value
            timings.append((time.perf_counter() - start) * 1000)
            where = 2 if value >= reject else 1 if value >= hold else 0
            outcome["spam" if is_spam else "ham"][where] += 1

    spam_total, ham_total = sum(outcome["spam"]), sum(outcome["ham"])
    caught = outcome["spam"][1] + outcome["spam"][2]
    print(
        f"corpus: {ham_total} ham, {spam_total} spam; {folds}-fold cross-validation;"
        f" thresholds hold {hold}, spam {reject}"
    )
    print(
        f"spam caught (held or spam folder): {caught / spam_total:7.2%}"
        f"   ({caught}/{spam_total})"
    )
    print(
        f"spam sent to the spam folder:      {outcome['spam'][2] / spam_total:7.2%}"
        f"   ({outcome['spam'][2]}/{spam_total})"
    )
    print(
        f"ham lost to the spam folder:       {outcome['ham'][2] / ham_total:7.2%}"
        f"   ({outcome['ham'][2]}/{ham_total})"
    )
    print(
        f"ham held for moderation:           {outcome['ham'][1] / ham_total:7.2%}"
        f"   ({outcome['ham'][1]}/{ham_total})"
    )
    print(f"scoring time: p50 {statistics.median(timings):.3f} ms per comment")
