"""Gazette scaled out: two app servers behind nginx share one PostgreSQL and
one Redis, and a reader cannot tell which one answered.

Every request goes through nginx over HTTPS, as readers' do; nginx names the
app that answered (X-Gazette-Upstream), and the tests also ask each app
directly (on its own port, as nginx does) to prove that each sees a change, not
just whichever answered last. The tests run in this order, on one cluster; the
last one kills an app server.
"""

import re
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from clustertest.client import Answer, Browser, location_path
from clustertest.harness import ADMIN_PASSWORD, HOST, SETTINGS, Cluster

PER_IP = int(SETTINGS["GAZETTE_COMMENTS_PER_IP"])
SCHEDULE_AHEAD = 6  # seconds between scheduling a post and its going live
LOAD_SECONDS = 8  # the kill test's load, with the kill a third of the way in
LOAD_THREADS = 6


def through_nginx(cluster: Cluster, address: str = "127.0.0.1") -> Browser:
    """A reader at `address` (a loopback address of its own) reading the blog."""
    return Browser(HOST, cluster.nginx_port, tls=cluster.tls_context(), address=address)


def on_app(cluster: Cluster, n: int) -> Browser:
    """Straight to app server `n`, as nginx talks to it."""
    return Browser(HOST, cluster.app_ports[n], headers={"X-Forwarded-Proto": "https"})


def app_address(cluster: Cluster, n: int) -> str:
    return f"{HOST}:{cluster.app_ports[n]}"


def fetch_until_both(browser: Browser, path: str, cluster: Cluster) -> list[Answer]:
    """GET `path` until each app has answered it at least once (bounded)."""
    answers: list[Answer] = []
    for _ in range(8):
        answers.append(browser.get(path))
        if {a.upstream for a in answers} >= set(
            app_address(cluster, n) for n in (0, 1)
        ):
            return answers
    raise AssertionError(f"nginx sent {path} to {[a.upstream for a in answers]}")


@pytest.fixture(scope="module")
def author(cluster: Cluster) -> Browser:
    """The admin, signed in at the desk through nginx."""
    browser = through_nginx(cluster, "127.0.0.2")
    form = browser.form("/desk/sign-in/")
    form |= {"username": "admin", "password": ADMIN_PASSWORD}
    answer = browser.post("/desk/sign-in/", form)
    assert answer.status == 302, answer.body[:3000]
    return browser


def write_post(
    author: Browser,
    *,
    title: str,
    body: str,
    slug: str,
    pk: int | None = None,
    action: str = "publish",
    when: str = "",
) -> int:
    """Publish (or update) a post in the desk's editor, as an author does; its id."""
    path = f"/desk/posts/{pk}/" if pk else "/desk/posts/new/"
    form = author.form(path, "editor")
    form.pop("slug_auto", None)  # the slug is chosen, not made from the title
    form |= {"title": title, "body": body, "slug": slug, "action": action}
    form["published_at"] = when
    answer = author.post(path, form)
    assert answer.status == 302, answer.body[:3000]
    found = re.search(r"/desk/posts/(\d+)/", location_path(answer))
    assert found, answer.headers
    return int(found.group(1))


def post_address(author: Browser, pk: int) -> str:
    """The post's address, from the editor's "View on the blog" link."""
    page = author.get(f"/desk/posts/{pk}/").body
    found = re.search(r'<a href="(/\d{4}/\d{2}/[^"]+/)">View on the blog', page)
    assert found, page[:3000]
    return found.group(1)


def send_comment(reader: Browser, post_id: int, body: str) -> Answer:
    """As the form's script does: a fresh one-use token, then the form."""
    token = reader.get(f"/comments/{post_id}/token/")
    assert token.status == 200, token.body[:500]
    form = {
        "token": token.json()["token"],
        "author_name": "Reader",
        "author_email": "reader@example.net",
        "body": body,
    }
    return reader.post(f"/comments/{post_id}/post/", form)


def test_a_comment_sent_through_one_app_is_read_on_the_other(cluster, author):
    pk = write_post(author, title="Talk to us", body="Say hello.", slug="talk-to-us")
    path = post_address(author, pk)
    apps = [on_app(cluster, n) for n in (0, 1)]
    reader = through_nginx(cluster, "127.0.0.31")
    # Both apps have the page in the shared cache, and in their own memory.
    for browser in [*apps, reader, reader]:
        browser.get(path)
        assert browser.get(path).headers.get("x-gazette-cache") == "hit"

    sent = send_comment(reader, pk, "Hello from the first app, friends.")
    assert sent.status == 302, sent.body[:2000]
    stored = cluster.sql(
        "SELECT status, spam_reasons FROM comments_comment WHERE post_id = %s", (pk,)
    )
    assert [status for status, _ in stored] == ["approved"], stored
    answers = fetch_until_both(reader, path, cluster)
    # The next request that lands on the other app shows the comment too.
    assert any(a.upstream != sent.upstream for a in answers)
    for answer in answers:
        assert "Hello from the first app, friends." in answer.body, answer.upstream
    for app in apps:
        assert "Hello from the first app, friends." in app.get(path).body


def test_publishing_and_editing_show_on_both_apps_at_once(cluster, author):
    apps = [on_app(cluster, n) for n in (0, 1)]
    reader = through_nginx(cluster, "127.0.0.32")
    for browser in [*apps, reader, reader]:
        assert "Fresh from the desk" not in browser.get("/").body
        assert browser.get("/").headers.get("x-gazette-cache") == "hit"

    pk = write_post(
        author, title="Fresh from the desk", body="First words.", slug="fresh"
    )
    path = post_address(author, pk)
    for answer in fetch_until_both(reader, "/", cluster):
        assert "Fresh from the desk" in answer.body, answer.upstream
    for app in apps:
        assert "Fresh from the desk" in app.get("/").body
        assert "First words." in app.get(path).body

    write_post(
        author,
        pk=pk,
        action="save",
        title="Fresh from the desk",
        body="Second thoughts.",
        slug="fresh",
    )
    for answer in [
        *fetch_until_both(reader, path, cluster),
        *(a.get(path) for a in apps),
    ]:
        assert "Second thoughts." in answer.body, answer.upstream
        assert "First words." not in answer.body, answer.upstream
    # The author's signed-in session (in the database) held on both apps.
    assert {app_address(cluster, n) for n in (0, 1)} <= set(author.upstreams)


def test_the_comment_limit_per_address_holds_across_both_apps(cluster, author):
    pk = write_post(author, title="Limits", body="Go on.", slug="limits")
    address = "127.0.0.77"  # nginx sees it, and tells the apps
    reader = through_nginx(cluster, address)
    tokens = [
        reader.get(f"/comments/{pk}/token/").json()["token"] for _ in range(3 * PER_IP)
    ]
    answers = []
    for n, token in enumerate(tokens):
        form = {
            "token": token,
            "author_name": "Eager",
            "author_email": "eager@example.net",
            "body": f"One more thing, number {n}.",
        }
        answers.append(reader.post(f"/comments/{pk}/post/", form))

    by_app = {app_address(cluster, n): 0 for n in (0, 1)}
    for answer in answers:
        by_app[answer.upstream] += 1
    # Each app saw more than the limit: counted per app, twice as many would pass.
    assert min(by_app.values()) > PER_IP, by_app
    statuses = [a.status for a in answers]
    assert statuses.count(302) == PER_IP, statuses
    assert set(statuses) == {302, 429}, statuses
    refused = next(a for a in answers if a.status == 429)
    assert "Too many comments" in refused.body
    stored = cluster.sql(
        "SELECT ip_address FROM comments_comment WHERE post_id = %s", (pk,)
    )
    assert [str(ip) for (ip,) in stored] == [address] * PER_IP


def test_a_scheduled_post_goes_live_on_time_on_both_apps_once(cluster, author):
    editor = author.get("/desk/posts/new/").body
    zone = re.search(r"In the blog&#x27;s time zone, ([^.]+)\.", editor)
    assert zone, editor[:3000]
    live_at = datetime.now(ZoneInfo(zone.group(1))) + timedelta(seconds=SCHEDULE_AHEAD)
    pk = write_post(
        author,
        title="Right on time",
        body="Written earlier, out now.",
        slug="right-on-time",
        when=live_at.strftime("%Y-%m-%dT%H:%M:%S"),
    )
    path = f"/{live_at:%Y}/{live_at:%m}/right-on-time/"
    apps = [on_app(cluster, n) for n in (0, 1)]
    reader = through_nginx(cluster, "127.0.0.33")
    # Before: not there, and every page that will change is in the caches.
    for browser in [*apps, reader, reader]:
        assert "Right on time" not in browser.get("/").body
        assert "Right on time" not in browser.get("/feeds/posts.atom").body
        assert browser.get(path).status == 404
    assert time.time() < live_at.timestamp(), "the checks above took too long"

    time.sleep(max(0.0, live_at.timestamp() - time.time()) + 1.5)
    for browser in [*apps, reader, reader]:
        home = browser.get("/")
        assert "Right on time" in home.body, browser.port
        assert browser.get(path).status == 200, browser.port
        feed = browser.get("/feeds/posts.atom").body
        entries = [e for e in feed.split("<entry>") if "right-on-time" in e]
        assert len(entries) == 1, feed[:3000]
    # One post, once: no second row for the same slug.
    assert cluster.sql("SELECT id FROM posts_post WHERE slug = 'right-on-time'") == [
        (pk,)
    ]
    # The worker did its share (the periodic jobs, the demo's pictures) and
    # nothing failed in it.
    tasks = dict(
        cluster.sql(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
        )
    )
    assert tasks.get("SUCCESSFUL", 0) > 0 and "FAILED" not in tasks, tasks


def test_killing_an_app_mid_load_loses_no_accepted_comment(cluster, author):
    pk = write_post(author, title="Busy", body="Everyone talks.", slug="busy")
    killed, survivor = app_address(cluster, 0), app_address(cluster, 1)
    accepted: list[tuple[str, str, float]] = []  # body, app, when sent
    failed: list[tuple[str, float]] = []  # what went wrong, when sent
    lock = threading.Lock()
    began = time.monotonic()
    kill_at = began + LOAD_SECONDS / 3
    killed_at: list[float] = []

    def load(thread: int) -> None:
        n = 0
        while time.monotonic() < began + LOAD_SECONDS:
            n += 1
            body = f"Comment {n} from thread {thread}."
            # Each comment from an address of its own: the per-address limit
            # is not what this test is about.
            reader = through_nginx(cluster, f"127.0.{10 + thread}.{n % 250 + 1}")
            sent_at = time.monotonic()
            try:
                answer = send_comment(reader, pk, body)
                ok = answer.status == 302
                what = f"{answer.status} from {answer.upstream or 'nginx'}"
            except (OSError, AssertionError) as error:
                ok, what = False, repr(error)
            finally:
                reader.close()
            with lock:
                if ok:
                    accepted.append((body, answer.upstream, sent_at))
                else:
                    failed.append((what, sent_at))

    threads = [threading.Thread(target=load, args=(t,)) for t in range(LOAD_THREADS)]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, kill_at - time.monotonic()))
    cluster.kill_app(0)
    killed_at.append(time.monotonic())
    for thread in threads:
        thread.join(timeout=LOAD_SECONDS + 60)
    assert not any(thread.is_alive() for thread in threads)

    # Every comment answered "accepted" is stored, exactly once.
    stored = dict(
        cluster.sql(
            "SELECT body, count(*) FROM comments_comment WHERE post_id = %s "
            "GROUP BY body",
            (pk,),
        )
    )
    missing = [body for body, _, _ in accepted if stored.get(body) != 1]
    assert missing == [], missing
    assert all(count == 1 for count in stored.values())
    # Both apps took comments before the kill; only the survivor after it.
    before = {app for _, app, at in accepted if at < killed_at[0]}
    after = [(app, at) for _, app, at in accepted if at > killed_at[0] + 1]
    assert before == {killed, survivor}, before
    assert after and {app for app, _ in after} == {survivor}
    # Failures only around the kill (requests in flight on the killed app).
    late = [(what, at) for what, at in failed if at > killed_at[0] + 1]
    assert late == [], late
    assert len(failed) <= LOAD_THREADS * 2, failed
    # The survivor goes on serving readers.
    reader = through_nginx(cluster, "127.0.0.34")
    for _ in range(6):
        answer = reader.get("/")
        assert answer.status == 200 and answer.upstream == survivor
    print(
        f"\n  kill test: {len(accepted)} comments accepted and stored once each, "
        f"{len(stored) - len(accepted)} stored without an answer, {len(failed)} "
        f"failed in flight ({sorted({w for w, _ in failed})}); after the kill "
        f"{len(after)} accepted, all by the survivor"
    )
