"""Importing a big Blogger backup: time and peak memory.

A backup of 10,000 posts and 100,000 comments (replies among them, labels,
HTML bodies with a picture, a table and line breaks) is generated into a temp
file in Blogger's classic format, then `gazette import_blogger` runs in a child
process on a fresh database, so its peak memory (max RSS) is its own. SQLite by
default; under scripts/with-postgres, a throwaway PostgreSQL database.
GAZETTE_BENCH_IMPORT_POSTS and GAZETTE_BENCH_IMPORT_COMMENTS set other sizes.
"""

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

POSTS = 10_000
COMMENTS = 100_000
ROOT = Path(__file__).resolve().parents[1]
WORDS = """tide harbour pier lamp fog gull rope net boat quay salt wind wave shore
stone sand shell rain cloud light dawn dusk lantern map chart keel mast sail oar
anchor bell gate lane hill field hedge kettle bread window letter""".split()
KIND = "http://schemas.google.com/blogger/2008/kind#"


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def generate(path: Path, posts: int, comments: int) -> None:
    """A classic-format Blogger backup, written as a stream."""
    rng = random.Random(7)
    start = datetime(2010, 1, 1, 9, tzinfo=UTC)
    labels = [f"{w.title()} notes" for w in WORDS[:40]]
    with path.open("w", encoding="utf-8") as out:
        out.write(
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            "<feed xmlns='http://www.w3.org/2005/Atom' "
            "xmlns:thr='http://purl.org/syndication/thread/1.0' "
            "xmlns:app='http://purl.org/atom/app#'>\n"
            "<id>tag:blogger.com,1999:blog-1</id><title type='text'>Bench</title>\n"
        )
        for n in range(posts):
            when = start + timedelta(hours=7 * n)
            slug = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{n}"
            body = (
                f"<div>{_words(rng, 60)}</div><br /><br />"
                f'<a href="https://blogger.googleusercontent.com/img/b/{n}/s1600/p.jpg">'
                f'<img src="https://blogger.googleusercontent.com/img/b/{n}/s320/p.jpg" /></a>'
                f"<table><tr><td>{n}</td><td>{_words(rng, 3)}</td></tr></table>"
                f"<p>{_words(rng, 80)}</p>"
            )
            tags = "".join(
                f"<category scheme='http://www.blogger.com/atom/ns#' term='{t}'/>"
                for t in rng.sample(labels, 2)
            )
            out.write(
                f"<entry><id>tag:blogger.com,1999:blog-1.post-{n}</id>"
                f"<published>{when.isoformat()}</published>"
                f"<updated>{when.isoformat()}</updated>"
                f"<category scheme='http://schemas.google.com/g/2005#kind' "
                f"term='{KIND}post'/>{tags}"
                f"<title type='text'>{_words(rng, 5).title()}</title>"
                f"<content type='html'>{escape(body)}</content>"
                f"<link rel='alternate' type='text/html' "
                f"href='https://bench.blogspot.com/{when:%Y/%m}/{slug}.html'/>"
                f"<author><name>Bench Writer</name>"
                f"<uri>https://www.blogger.com/profile/1</uri></author></entry>\n"
            )
        for n in range(comments):
            post = rng.randrange(posts)
            when = start + timedelta(hours=7 * post, minutes=n % 5000 + 1)
            related = ""
            if n and rng.random() < 0.3:
                related = (
                    "<link rel='related' type='application/atom+xml' href='"
                    f"https://www.blogger.com/feeds/1/{post}/comments/default/"
                    f"{COMMENT_BASE + n - 1}'/>"
                )
            out.write(
                f"<entry><id>tag:blogger.com,1999:blog-1.post-{COMMENT_BASE + n}</id>"
                f"<published>{when.isoformat()}</published>"
                f"<category scheme='http://schemas.google.com/g/2005#kind' "
                f"term='{KIND}comment'/>"
                f"<content type='html'>{escape(_words(rng, 25))}&lt;br /&gt;"
                f"{escape(_words(rng, 10))}</content>"
                f"<link rel='alternate' type='text/html' href='https://bench.blogspot"
                f".com/x.html?showComment={int(when.timestamp() * 1000)}#c{n}'/>"
                f"{related}<author><name>Reader {n % 900}</name></author>"
                f"<thr:in-reply-to ref='tag:blogger.com,1999:blog-1.post-{post}'/>"
                "</entry>\n"
            )
        out.write("</feed>\n")


COMMENT_BASE = 10_000_000


def _database(tmp: Path) -> tuple[dict, callable]:
    """Environment for a fresh database, and how to drop it afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return {"DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}"}, lambda: None
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS gazette_bench_import")
        connection.execute("CREATE DATABASE gazette_bench_import")

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS gazette_bench_import")

    return {"DATABASE_URL": url.rsplit("/", 1)[0] + "/gazette_bench_import"}, drop


def run() -> None:
    posts = int(os.environ.get("GAZETTE_BENCH_IMPORT_POSTS", POSTS))
    comments = int(os.environ.get("GAZETTE_BENCH_IMPORT_COMMENTS", COMMENTS))
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        backup = tmp / "blogger-backup.xml"
        generate(backup, posts, comments)
        size = backup.stat().st_size / 1024 / 1024
        database, drop = _database(tmp)
        env = os.environ | database | {"GAZETTE_VAR_DIR": str(tmp / "var")}
        env.pop("GAZETTE_TESTING", None)
        command = [sys.executable, "-m", "gazette"]
        try:
            subprocess.run([*command, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
            began = time.perf_counter()
            done = subprocess.run(
                [*command, "import_blogger", str(backup), "-v0"],
                env=env, cwd=ROOT, check=True, capture_output=True, text=True,
            )  # fmt: skip
            seconds = time.perf_counter() - began
        finally:
            drop()
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        vendor = "postgresql" if "postgres" in database["DATABASE_URL"] else "sqlite"
        print(f"  {vendor}: {posts:,} posts, {comments:,} comments ({size:.0f} MB)")
        print(f"  imported in {seconds:.1f} s, peak memory {peak:.0f} MB")
        print("  " + done.stdout.strip().splitlines()[0])
