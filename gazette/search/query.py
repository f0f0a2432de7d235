"""Reading what a reader typed into the search box.

The text is never handed to an engine as it is: it is split here into plain words,
"quoted phrases" and #hashtags, and each engine builds its own query from those
pieces (quoted for FTS5, through plainto_tsquery/phraseto_tsquery for PostgreSQL).
Operators, column filters, stars and stray quotes are therefore only punctuation.
"""

import unicodedata
from dataclasses import dataclass, field

from gazette.posts.models import Hashtag

# Past these limits the rest of the text is left out, with a note saying so.
MAX_LENGTH = 300
MAX_WORDS = 10
MAX_HASHTAGS = 3
MAX_WORD_LENGTH = 60


@dataclass(frozen=True)
class SearchQuery:
    """A search as understood: words and phrases to match, hashtags to filter by."""

    text: str
    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    hashtags: tuple[str, ...] = ()  # as typed, without "#"
    notes: tuple[str, ...] = field(default=())

    @property
    def has_terms(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases or self.hashtags)

    @property
    def hashtag_keys(self) -> list[str]:
        return [Hashtag.make_key(name) for name in self.hashtags]


def _is_word_char(char: str) -> bool:
    # Letters, digits and combining marks, so that words in scripts that write
    # vowels as marks (Devanagari, Thai...) stay whole. "_" and "#" separate words.
    return unicodedata.category(char)[0] in "LNM"


def _words(text: str) -> list[str]:
    words, current = [], []
    for char in text:
        if _is_word_char(char):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    # A word must start with a letter or digit; a lone combining mark is noise.
    return [w[:MAX_WORD_LENGTH] for w in words if unicodedata.category(w[0])[0] != "M"]


def parse(text: str) -> SearchQuery:
    """Split `text` into words, "phrases" and #hashtags.

    An unclosed quote runs to the end of the text. Repeated words count once.
    """
    text = unicodedata.normalize("NFKC", text or "").strip()
    notes = []
    if len(text) > MAX_LENGTH:
        text = text[:MAX_LENGTH]
        notes.append(f"Only the first {MAX_LENGTH} characters were searched for.")

    words: dict[str, str] = {}
    phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
    hashtags: dict[str, str] = {}
    dropped = False
    outside_quotes = text.split('"')
    for index, part in enumerate(outside_quotes):
        if index % 2:  # between quotes
            phrase = tuple(_words(part))
            if len(phrase) == 1:
                words.setdefault(phrase[0].casefold(), phrase[0])
            elif phrase:
                key = tuple(w.casefold() for w in phrase)
                phrases.setdefault(key, phrase[:MAX_WORDS])
            continue
        for chunk in part.split():
            if chunk.startswith("#") and len(chunk) > 1:
                names = _words(chunk[1:])
                if names and unicodedata.category(names[0][0])[0] == "L":
                    if len(hashtags) < MAX_HASHTAGS:
                        hashtags.setdefault(Hashtag.make_key(names[0]), names[0])
                    else:
                        dropped = True
                    names = names[1:]
                for word in names:
                    words.setdefault(word.casefold(), word)
                continue
            for word in _words(chunk):
                words.setdefault(word.casefold(), word)

    kept_words = list(words.values())
    kept_phrases = list(phrases.values())
    if len(kept_words) + len(kept_phrases) > MAX_WORDS:
        dropped = True
        kept_phrases = kept_phrases[:MAX_WORDS]
        kept_words = kept_words[: max(0, MAX_WORDS - len(kept_phrases))]
    if dropped:
        notes.append(
            f"Only the first {MAX_WORDS} words or phrases and {MAX_HASHTAGS} "
            "hashtags were searched for."
        )
    return SearchQuery(
        text=text,
        words=tuple(kept_words),
        phrases=tuple(kept_phrases),
        hashtags=tuple(hashtags.values()),
        notes=tuple(notes),
    )
