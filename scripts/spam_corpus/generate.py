"""Write Gazette's labelled comment corpus: ham.jsonl and spam.jsonl.

    python scripts/spam_corpus/generate.py

Every sentence and template (in phrases.py) was written for Gazette. Comments are
put together from them with a fixed random seed, so the files only change when
these scripts do. The corpus trains the built-in spam model and feeds `make bench`.
"""

import json
import random
from pathlib import Path

# A sibling module: this file runs as a script from its own folder.
from phrases import (
    CATEGORY_WORDS,
    CITY_WORDS,
    CLOSERS,
    CRYPTO_WORDS,
    FAKE_PRAISE,
    FAKE_PRAISE_LINK,
    FIRST_NAMES,
    HAM_LINK_SENTENCES,
    HANDLES,
    LAST_NAMES,
    MAIL_DOMAINS,
    OPENERS,
    REFERENCE_LINKS,
    SCAM_PEOPLE,
    SHORT_HAM,
    SITE_TLDS,
    SITE_WORDS,
    SPAM_CATEGORY_WEIGHTS,
    SPAM_MAIL,
    SPAM_NAMES,
    SPAM_TEMPLATES,
    SPAM_TLDS,
    TOPICS,
)

# The files are package data the classifier loads, so they live in the app.
CORPUS = Path(__file__).resolve().parents[2] / "gazette" / "comments" / "corpus"
SEED = 20240611
HAM_COUNT = 900
SPAM_COUNT = 800


def _pick(rng: random.Random, items: list[str]) -> str:
    return items[rng.randrange(len(items))]


def _words(kw: str) -> str:
    return kw.replace("-", " ")


def _spam_domain(rng: random.Random, words: list[str]) -> str:
    parts = [_pick(rng, words).replace(" ", "-")]
    if rng.random() < 0.6:
        parts.append(_pick(rng, words + ["best", "cheap", "online", "top", "pro"]))
    joiner = _pick(rng, ["-", "", "-"])
    name = joiner.join(parts)
    if rng.random() < 0.3:
        name += str(rng.randrange(1, 999))
    return f"{name}.{_pick(rng, SPAM_TLDS)}"


def _spam_url(rng: random.Random, words: list[str]) -> str:
    domain = _spam_domain(rng, words)
    path = _pick(
        rng,
        ["", "/", "/shop", "/?ref=blog", "/buy-now", "/bonus", "/go/offer", "/en/"],
    )
    scheme = _pick(rng, ["https://", "http://", "https://www."])
    return f"{scheme}{domain}{path}"


def spam_comment(rng: random.Random) -> dict:
    categories = list(SPAM_CATEGORY_WEIGHTS)
    weights = list(SPAM_CATEGORY_WEIGHTS.values())
    category = rng.choices(categories, weights)[0]
    if category in ("praise_link", "stuffing"):
        words = CATEGORY_WORDS[
            _pick(rng, [c for c in CATEGORY_WORDS if c not in ("dating",)])
        ]
    else:
        words = CATEGORY_WORDS[category]
    kw, kw2, kw3 = (_words(_pick(rng, words)) for _ in range(3))
    url = _spam_url(rng, words)
    first, last = _pick(rng, FIRST_NAMES), _pick(rng, LAST_NAMES)
    values = {
        "kw": kw,
        "kw2": kw2,
        "kw3": kw3,
        "Kw": kw.title(),
        "Kw2": kw2.title(),
        "url": url,
        "url2": _spam_url(rng, words),
        "pct": str(rng.choice([10, 15, 20, 30, 40, 50, 70, 80, 90, 100])),
        "price": str(rng.choice([19, 29, 49, 99, 150, 250, 500, 1000])),
        "big": f"{rng.choice([5, 8, 12, 25, 40, 75])},{rng.randrange(100, 999)}",
        "year": str(rng.choice([2023, 2024, 2025])),
        "person": _pick(rng, SCAM_PEOPLE),
        "phone": f"+1 ({rng.randrange(200, 999)}) {rng.randrange(200, 999)}-"
        f"{rng.randrange(1000, 9999)}",
        "handle": f"{first.lower()}_{_pick(rng, CRYPTO_WORDS)}",
        "email": f"{first.lower()}.{_pick(rng, words).replace(' ', '')}"
        f"{rng.randrange(10, 999)}@{_pick(rng, SPAM_MAIL)}",
        "city": _pick(rng, CITY_WORDS).title(),
        "first": first,
        "last": last,
        "num": str(rng.randrange(10, 9999)),
    }
    if category == "praise_link":
        values["praise"] = _pick(rng, FAKE_PRAISE)
        values["praise2"] = _pick(rng, FAKE_PRAISE)
        values["link"] = _pick(rng, FAKE_PRAISE_LINK).format(**values)
    body = _pick(rng, SPAM_TEMPLATES[category]).format(**values).strip()
    if rng.random() < 0.1:
        body = body.upper()
    name = _pick(rng, SPAM_NAMES).format(**values)
    # Link-builders put their address in the website field as often as in the text.
    website = _spam_url(rng, words) if rng.random() < 0.65 else ""
    email = values["email"] if rng.random() < 0.75 else ""
    return {
        "kind": category,
        "name": name,
        "email": email,
        "url": website,
        "body": body,
    }


def _own_site(rng: random.Random, first: str) -> str:
    style = rng.randrange(4)
    word = _pick(rng, SITE_WORDS)
    if style == 0:
        return f"https://{first.lower()}{word}.{_pick(rng, SITE_TLDS)}/"
    if style == 1:
        return f"https://{first.lower()}.{_pick(rng, ['github.io', 'micro.blog'])}/"
    if style == 2:
        return f"https://www.{word}-of-{first.lower()}.{_pick(rng, SITE_TLDS)}"
    return f"https://{_pick(rng, LAST_NAMES).lower()}{word}.{_pick(rng, SITE_TLDS)}/"


def ham_comment(rng: random.Random) -> dict:
    first = _pick(rng, FIRST_NAMES)
    style = rng.random()
    if style < 0.55:
        name = first
    elif style < 0.85:
        name = f"{first} {_pick(rng, LAST_NAMES)}"
    else:
        name = _pick(rng, HANDLES)
    own = _own_site(rng, first)
    if rng.random() < 0.22:
        kind = "short"
        body = _pick(rng, SHORT_HAM)
    else:
        kind = _pick(rng, list(TOPICS))
        topic = TOPICS[kind]
        sentences = rng.sample(topic, rng.randint(1, 3))
        if rng.random() < 0.5:
            sentences.insert(0, _pick(rng, OPENERS))
        if rng.random() < 0.12:
            link = _pick(rng, HAM_LINK_SENTENCES)
            sentences.append(link.format(own=own, ref=_pick(rng, REFERENCE_LINKS)))
        closer = _pick(rng, CLOSERS)
        if closer:
            sentences.append(closer)
        body = " ".join(sentences)
        if rng.random() < 0.08:
            quoted = _pick(rng, topic)
            body = f"> {quoted}\n\n{body}"
        if rng.random() < 0.15:
            body = body.replace(". ", ".\n\n", 1)
    website = own if rng.random() < 0.35 else ""
    email = ""
    if rng.random() < 0.65:
        email = f"{first.lower()}{_pick(rng, ['', '.', '_'])}"
        email += f"{_pick(rng, LAST_NAMES).lower()}@{_pick(rng, MAIL_DOMAINS)}"
    return {"kind": kind, "name": name, "email": email, "url": website, "body": body}


def build(make, count: int, rng: random.Random) -> list[dict]:
    seen: set[tuple] = set()
    items = []
    while len(items) < count:
        item = make(rng)
        key = (item["name"], item["body"])
        if key not in seen:
            seen.add(key)
            items.append(item)
    return items


def main() -> None:
    rng = random.Random(SEED)
    for label, make, count in (
        ("ham", ham_comment, HAM_COUNT),
        ("spam", spam_comment, SPAM_COUNT),
    ):
        items = build(make, count, rng)
        with (CORPUS / f"{label}.jsonl").open("w", encoding="utf-8") as f:
            for item in items:
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
        print(f"{label}: {len(items)} comments")


if __name__ == "__main__":
    main()
