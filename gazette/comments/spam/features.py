"""What the classifier reads in a comment: words, link domains and a few facts.

Every feature is a short string ("casino", "link:pills-shop.example",
"links:3+"); a comment is the set of its features. The same function reads the
shipped corpus, new comments and moderated ones, so what is learned always
matches what is scored.
"""

import re
import unicodedata
from urllib.parse import urlsplit

MAX_LENGTH = 60  # longer features are cut; SpamToken.token holds 100

WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[$€£]\s?\d[\d,.]*")
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']+", re.IGNORECASE)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"\+?\d[\d\s().-]{8,}\d")
# Words in a domain name: "best-casino-bonus.example" gives best, casino, bonus.
DOMAIN_WORD_RE = re.compile(r"[a-z]{3,}")
COMMON_LABELS = {"www", "com", "net", "org", "info", "blog", "example", "html", "http"}


def features(
    name: str = "", email: str = "", url: str = "", body: str = ""
) -> set[str]:
    """The features of one comment: its author's name, email, website and text."""
    found: set[str] = set()
    body = unicodedata.normalize("NFKC", body or "")
    text = URL_RE.sub(" ", body)
    text = EMAIL_RE.sub(" emailaddress ", text)
    if PHONE_RE.search(text):
        found.add("has:phone")
        text = PHONE_RE.sub(" ", text)
    words = [_word(w) for w in WORD_RE.findall(text.lower())]
    found.update(w for w in words if w)
    # Neighbouring pairs catch phrases ("click here", "without prescription").
    plain = [w for w in words if w and not w.startswith("num:")]
    found.update(f"{a}+{b}" for a, b in zip(plain, plain[1:], strict=False))

    links = URL_RE.findall(body)
    found.add(f"links:{min(len(links), 3)}{'+' if len(links) >= 3 else ''}")
    for link in links:
        found.update(_domain_features("link", link))
    lowered = body.lower()
    if "<a " in lowered or "href=" in lowered:
        found.add("has:html-link")
    if "[url" in lowered:
        found.add("has:bbcode")
    letters = [c for c in body if c.isalpha()]
    if len(letters) > 20 and sum(c.isupper() for c in letters) > len(letters) * 0.4:
        found.add("has:shouting")
    found.add(f"length:{_bucket(len(body), (40, 120, 400, 1200))}")

    found.update(_author_features(name, email, url))
    return {f[:MAX_LENGTH] for f in found}


def _word(word: str) -> str:
    if word[0] in "$€£":
        return "has:money"
    if word.isdigit():
        return "num:short" if len(word) <= 4 else "num:long"
    if len(word) < 2:
        return ""
    if len(word) > 24:
        return "word:long"
    return word.replace("’", "'")


def _bucket(value: int, limits: tuple[int, ...]) -> str:
    for limit in limits:
        if value < limit:
            return f"<{limit}"
    return f">={limits[-1]}"


def _domain_features(prefix: str, address: str) -> set[str]:
    if not address.lower().startswith(("http://", "https://")):
        address = "http://" + address
    try:
        host = (urlsplit(address).hostname or "").lower()
    except ValueError:
        return {f"{prefix}:bad"}
    host = host.removeprefix("www.")
    if not host:
        return {f"{prefix}:bad"}
    labels = host.split(".")
    out = {f"{prefix}:{'.'.join(labels[-2:])}", f"{prefix}-tld:{labels[-1]}"}
    for label in labels[:-1]:
        out.update(
            f"{prefix}-word:{w}"
            for w in DOMAIN_WORD_RE.findall(label)
            if w not in COMMON_LABELS
        )
    return out


def _author_features(name: str, email: str, url: str) -> set[str]:
    out: set[str] = set()
    name_words = WORD_RE.findall((name or "").lower())
    out.add(f"name-words:{min(len(name_words), 4)}")
    out.update(f"name:{w}" for w in name_words[:6] if len(w) > 1)
    if any(c.isdigit() for c in name or ""):
        out.add("name:has-digits")
    if url:
        out.update(_domain_features("site", url))
        path = urlsplit(url).path if "://" in url else ""
        if len(path.strip("/")) > 1:
            out.add("site:has-path")
    else:
        out.add("site:none")
    if email and "@" in email:
        local, _, domain = email.lower().rpartition("@")
        out.add(f"email:{domain}")
        if sum(c.isdigit() for c in local) >= 3:
            out.add("email:many-digits")
    else:
        out.add("email:none")
    return out


def link_count(body: str) -> int:
    """How many web addresses a comment's text holds."""
    return len(URL_RE.findall(body or ""))


def link_hosts(text: str) -> set[str]:
    """The host names of the web addresses in `text`, lower case, without www."""
    hosts = set()
    for link in URL_RE.findall(text or ""):
        if not link.lower().startswith(("http://", "https://")):
            link = "http://" + link
        try:
            host = urlsplit(link).hostname or ""
        except ValueError:
            continue
        if host:
            hosts.add(host.lower().removeprefix("www."))
    return hosts
