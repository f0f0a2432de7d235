"""What the classifier reads in a comment: words, links and a few facts about its text.

Every feature is a short string ("casino", "~asin", "link:pills-shop.example",
"links:10-29"); a comment is the set of its features. The same function reads
the corpus behind the built-in model, new comments and moderated ones, so what
is learned always matches what is scored.

The features are chosen to mean something on any blog's comments, not on one
corpus: who wrote a comment (the words of the author's name, whether an email
was given) and how it is typeset (capitals, plain numbers) decide nothing.
Function words ("the", "if") are dropped, so they carry no weight either.
"""

import re
import unicodedata
from functools import cache
from urllib.parse import urlsplit

MAX_LENGTH = 60  # longer features are cut; SpamToken.token holds 100

# Top-level domains a bare "name.tld" in running text is read as a link for.
# Kept to common and spam-favoured ones, so "e.g." or "file.txt" stay words.
TLDS = (
    "com net org info biz io co me tv cc ws us uk ca au de fr nl ru su cn in br pl "
    "it es ch se no jp kr ua xyz top site online shop store club live life pro "
    "click link win vip bid loan work fun app dev ly gl gd tk ml ga cf gq to"
).split()
_TLD = "|".join(sorted(TLDS, key=len, reverse=True))
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']+", re.IGNORECASE)
BARE_DOMAIN_RE = re.compile(
    rf"(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{_TLD})"
    r"(?![\w-])(?:/[^\s<>()\[\]\"']*)?",
    re.IGNORECASE,
)
# A cheap first look: the full pattern above runs only on text that has a
# ".tld" somewhere, which most comments do not.
TLD_HINT_RE = re.compile(rf"[a-z0-9]\.(?:{_TLD})(?![\w-])", re.IGNORECASE)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[$€£]\s?\d[\d,.]*")
# Digits written for look-alike letters: "fr33 v1agra" reads "free viagra".
LEET = str.maketrans("013457@$", "oieastas")
# A phone number needs a phone's shape (9 to 15 digits in groups) and either a
# leading "+" or a word that asks to call or text nearby. A view count
# ("857.482.940 views") has the digits but neither.
PHONE_SHAPE_RE = re.compile(r"(?<![\w.,])\+?\(?\d[\d\s().-]{7,18}\d(?![\w.,]?\d)")
PHONE_WORDS_RE = re.compile(
    r"\b(?:call|phone|tel|telephone|txt|text|sms|whatsapp|ring|dial|mobile|"
    r"contact|hotline|helpline|fax)\b",
    re.IGNORECASE,
)
ASCII_LETTER_RE = re.compile(r"[A-Za-z]")
OTHER_LETTER_RE = re.compile(r"[^\W\d_A-Za-z]")
REPEATED_LETTERS_RE = re.compile(r"([^\W\d_])\1{2,}")
REPEATED_MARKS_RE = re.compile(r"([!?.$*#])\1{2,}")
URL_SHORTENERS = frozenset(
    "bit.ly tinyurl.com goo.gl t.co ow.ly is.gd buff.ly rebrand.ly cutt.ly "
    "shorturl.at tiny.cc bit.do rb.gy t.ly s.id lnkd.in v.gd qr.ae adf.ly".split()
)
# Words in a domain name: "best-casino-bonus.example" gives best, casino, bonus.
DOMAIN_WORD_RE = re.compile(r"[a-z]{3,}")
SECOND_LEVEL_LABELS = {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"}
COMMON_LABELS = {"www", "com", "net", "org", "info", "blog", "example", "html", "http"}
LINK_BUCKETS = ((0, "0"), (1, "1"), (2, "2"), (4, "3-4"), (9, "5-9"), (29, "10-29"))
# Cyrillic and Greek letters that look like Latin ones; a word mixing them with
# Latin letters is a disguise, and folding them lets "vіаgra" match "viagra".
HOMOGLYPHS = str.maketrans(
    "аеорсухіјѕԁԛԝкмнтвΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοιν",
    "aeopcyxijsdqwkmhtbabezhikmnoptyxaoiv",
)
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because
    been before being below between both but by can could did do does doing down
    during each few for from further had has have having he her here hers herself
    him himself his how i if in into is it its itself just me more most my myself
    no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours
    yourself yourselves i'm it's don't i've i'll i'd you're that's""".split()
)


def features(
    name: str = "", email: str = "", url: str = "", body: str = ""
) -> set[str]:
    """The features of one comment: its text first, then a little about its author."""
    body = unicodedata.normalize("NFKC", body or "")
    found: set[str] = set()
    links = _links(body)
    text = _without_bare_domains(URL_RE.sub(" ", body))
    text = EMAIL_RE.sub(" ", text)
    if EMAIL_RE.search(body):
        found.add("has:email-address")
    if has_phone_number(text):
        found.add("has:phone")
    found.update(_script_features(text))
    if REPEATED_LETTERS_RE.search(text):
        found.add("has:repeated-letters")
        text = REPEATED_LETTERS_RE.sub(r"\1\1", text)  # "sooo good" reads "soo good"
    if REPEATED_MARKS_RE.search(text):
        found.add("has:repeated-marks")

    words = [w for w in map(_word, WORD_RE.findall(text.casefold())) if w]
    found.update(words)
    # Neighbouring pairs catch phrases ("cheap+pills", "limited+offer").
    found.update(f"{a}+{b}" for a, b in zip(words, words[1:], strict=False))

    found.add(f"links:{_link_bucket(len(links))}")
    for link in links:
        found.update(_domain_features("link", link))
    lowered = body.lower()
    if "<a " in lowered or "href=" in lowered:
        found.add("has:html-link")
    if "[url" in lowered:
        found.add("has:bbcode")
    found.update(_author_features(name, email, url))
    return {f[:MAX_LENGTH] for f in found}


def has_phone_number(text: str) -> bool:
    """Whether `text` gives a phone number: the shape of one, and "+" or a word
    that asks to call or text within a few words of it."""
    for match in PHONE_SHAPE_RE.finditer(text):
        digits = sum(c.isdigit() for c in match.group())
        if not 9 <= digits <= 15:
            continue
        if match.group().startswith("+"):
            return True
        nearby = text[max(match.start() - 40, 0) : match.end() + 25]
        if PHONE_WORDS_RE.search(nearby):
            return True
    return False


def _word(word: str) -> str:
    if word[0] in "$€£":
        return "has:money"
    if not word.isalpha():
        if not any(c.isalpha() for c in word):
            return ""  # plain numbers say nothing: counts, dates, prices
        word = word.translate(LEET)
        if len(word) < 4 or not word.isalpha():
            return ""  # codes and versions ("4u", "mp3")
    if not word.isascii():
        word = word.replace("’", "'")
        if any("a" <= c <= "z" for c in word):  # only a disguised Latin word
            word = word.translate(HOMOGLYPHS)
    if len(word) < 2 or word in STOP_WORDS:
        return ""
    if len(word) > 24:
        return "word:long"
    return word


@cache
def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    first = name.split(" ", 1)[0]
    return "han" if first == "CJK" else first.lower()


def _script_features(text: str) -> set[str]:
    """The comment's main script of writing, and whether scripts are mixed."""
    tally = {"latin": len(ASCII_LETTER_RE.findall(text))}
    for char in OTHER_LETTER_RE.findall(text):
        script = _script(char)
        tally[script] = tally.get(script, 0) + 1
    letters = sum(tally.values())
    if not letters:
        return set()
    main = max(tally, key=lambda s: tally[s])
    out = {f"script:{main}"}
    if sum(1 for n in tally.values() if n >= max(3, letters * 0.05)) > 1:
        out.add("script:mixed")
    if tally["latin"] and ("cyrillic" in tally or "greek" in tally):
        for word in WORD_RE.findall(text):
            scripts = {_script(c) for c in word}
            if "latin" in scripts and scripts & {"cyrillic", "greek"}:
                out.add("script:lookalike-letters")
                break
    return out


def _link_bucket(count: int) -> str:
    for limit, label in LINK_BUCKETS:
        if count <= limit:
            return label
    return "30+"


def _links(text: str) -> list[str]:
    """Web addresses in `text`, with and without a scheme, emails left out."""
    text = EMAIL_RE.sub(" ", text or "")
    links = URL_RE.findall(text)
    rest = URL_RE.sub(" ", text)
    if TLD_HINT_RE.search(rest):
        links += BARE_DOMAIN_RE.findall(rest)
    return links


def _without_bare_domains(text: str) -> str:
    return BARE_DOMAIN_RE.sub(" ", text) if TLD_HINT_RE.search(text) else text


def _host(address: str) -> str:
    if not address.lower().startswith(("http://", "https://")):
        address = "http://" + address
    try:
        host = urlsplit(address).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def _domain_features(prefix: str, address: str) -> set[str]:
    host = _host(address)
    if not host:
        return {f"{prefix}:bad"}
    labels = host.split(".")
    # "shop.example.co.uk" is registered as "example.co.uk", not "co.uk".
    keep = 3 if len(labels) > 2 and labels[-2] in SECOND_LEVEL_LABELS else 2
    out = {f"{prefix}:{'.'.join(labels[-keep:])}", f"{prefix}-tld:{labels[-1]}"}
    if host in URL_SHORTENERS:
        out.add(f"{prefix}:shortener")
    if labels[-1].isdigit():
        out.add(f"{prefix}:ip-address")
    for label in labels[:-1]:
        out.update(
            f"{prefix}-word:{w}"
            for w in DOMAIN_WORD_RE.findall(label)
            if w not in COMMON_LABELS
        )
    return out


def _author_features(name: str, email: str, url: str) -> set[str]:
    """A little about the author; never the words of their name, which must not
    decide (the same text under another name scores the same)."""
    out: set[str] = set()
    name = unicodedata.normalize("NFKC", name or "")
    if _links(name):
        out.add("name:has-link")
    if len(WORD_RE.findall(name)) >= 5:
        out.add("name:reads-like-keywords")
    if url:
        out.update(_domain_features("site", url))
        path = urlsplit(url).path if "://" in url else ""
        if len(path.strip("/")) > 1:
            out.add("site:has-path")
    if email and "@" in email:
        out.add(f"email:{email.lower().rpartition('@')[2]}")
    return out


def link_count(body: str) -> int:
    """How many web addresses a comment's text holds, bare domains included."""
    return len(_links(body))


def link_hosts(text: str) -> set[str]:
    """The host names of the web addresses in `text`, lower case, without www."""
    return {host for host in map(_host, _links(text)) if host}
