"""A flood of comments on the production server (`gazette serve`, several worker
processes): the limits hold exactly, nothing accepted is lost, and readers
still get the page quickly.

The server runs as if behind a proxy (GAZETTE_BEHIND_PROXY), so each request
names its address in X-Forwarded-For. One address after another floods the form
far beyond COMMENTS_PER_IP, each comment with a fresh, valid form token fetched
beforehand, so that its comments reach every worker at the same moments (a race
can only let one too many through while a counter is still near the limit, so
each address is a new chance to catch one). Meanwhile a few tokens are each sent
from many addresses at once, and a reader at yet another address keeps reading
the post."""

import json
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlencode

from django.test import TransactionTestCase

from gazette.comments.models import Comment
from loadtests.server import NoRedirects, open_post, server_log, start_server

PER_IP = 5
FLOODERS = [f"198.51.100.{n}" for n in range(1, 5)]  # flooding one after another
SENDERS = 4  # threads per flood, one per worker: they keep every worker busy
FLOOD_EACH = 4  # comments per thread: 16 from each address
TOKENS = 5  # form tokens, each replayed...
REPLAYS = 6  # ...from this many addresses at once
WARM_UP = 12  # comments from other addresses before the flood
READ_WITHIN = 2.0  # seconds a reader may wait for the post page during the flood
TIMEOUT = 30
READER = "192.0.2.1"


@dataclass
class Answers:
    """What the server answered to comments, gathered across threads."""

    accepted: list[str] = field(default_factory=list)  # bodies answered 302
    statuses: list[int] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # the refusing pages
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, body: str, status: int, page: str = "") -> None:
        with self.lock:
            self.statuses.append(status)
            if status == 302:
                self.accepted.append(body)
            else:
                self.refusals.append(page)


def all_at_once(jobs: list[Callable[[], None]], errors: list[str]) -> None:
    """Run each job in a thread of its own, all released together; an
    exception in a job goes to `errors`."""
    start = threading.Barrier(len(jobs))

    def run(job: Callable[[], None]) -> None:
        try:
            start.wait(timeout=TIMEOUT)
            job()
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(repr(error))

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT * 2)
    if any(thread.is_alive() for thread in threads):
        errors.append("a sender hung")


class CommentFloodTest(TransactionTestCase):
    def setUp(self):
        self.post = open_post("Flooded post", "flooded-post")

    def open_as(self, address: str, url: str, data: dict | None = None):
        """Request `url` as someone at `address`, through the proxy."""
        request = urllib.request.Request(
            url,
            urlencode(data).encode() if data is not None else None,
            headers={"X-Forwarded-For": address, "X-Forwarded-Proto": "https"},
        )
        return urllib.request.build_opener(NoRedirects).open(request, timeout=TIMEOUT)

    def fresh_token(self, address: str) -> str:
        """A token as the form's script fetches it when a reader starts to write."""
        answer = self.open_as(address, self.token_url)
        return json.loads(answer.read())["token"]

    def send(self, address: str, token: str, body: str, answers: Answers) -> None:
        data = {
            "token": token,
            "author_name": "Flood",
            "author_email": "flood@example.net",
            "body": body,
        }
        try:
            self.open_as(address, self.comment_url, data).close()
            answers.add(body, 200)  # the form again: neither stored nor refused
        except urllib.error.HTTPError as answer:
            answers.add(body, answer.code, answer.read().decode(errors="replace"))

    def comment(self, address: str, body: str, answers: Answers) -> None:
        """Open the post as a reader would, then send the form."""
        self.send(address, self.fresh_token(address), body, answers)

    def flood(self, tokens: dict[str, list[str]], flooded: dict[str, Answers]):
        """Flood the form from each address in turn, SENDERS threads at once."""
        for address, answers in flooded.items():
            jobs = [
                partial(self.send_each, address, tokens[address][n::SENDERS], answers)
                for n in range(SENDERS)
            ]
            all_at_once(jobs, answers.errors)

    def send_each(self, address: str, tokens: list[str], answers: Answers) -> None:
        for token in tokens:
            self.send(address, token, f"Buy my thing, {token[-12:]}", answers)

    def replay(self, tokens: list[str], replayed: list[Answers]) -> None:
        """Send each token from REPLAYS addresses at once, one token after
        another."""
        for n, (token, answers) in enumerate(zip(tokens, replayed, strict=True)):
            all_at_once(
                [
                    partial(
                        self.send, f"203.0.113.{i}", token, f"Replay {n}.{i}", answers
                    )
                    for i in range(REPLAYS)
                ],
                answers.errors,
            )

    def read(self, stop: threading.Event, waits: list[float], errors: list) -> None:
        while not stop.is_set():
            began = time.monotonic()
            try:
                self.open_as(READER, self.page_url).read()
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(repr(error))
            waits.append(time.monotonic() - began)
            stop.wait(0.05)

    def warm_up(self, errors: list[str]) -> list[str]:
        """Comments from other addresses first, as a server that has run a while
        has had: a worker's first assessed comment opens its database connection
        and reads the spam classifier's built-in model, a start-up cost this test
        does not measure. The comments stored."""
        answers = Answers()
        all_at_once(
            [
                partial(
                    self.comment, f"192.0.2.{100 + n}", f"Morning, {n} here", answers
                )
                for n in range(WARM_UP)
            ],
            errors,
        )
        self.assertEqual(answers.statuses, [302] * WARM_UP, errors)
        return answers.accepted

    def test_the_limits_hold_exactly_and_readers_are_served(self):
        with tempfile.TemporaryDirectory() as var_dir:
            base = start_server(
                self,
                var_dir,
                {
                    "GAZETTE_HTTPS": "1",
                    "GAZETTE_BEHIND_PROXY": "1",
                    "GAZETTE_COMMENTS_MIN_SECONDS": "0",
                    "GAZETTE_COMMENTS_PER_IP": str(PER_IP),
                    # This test is about one address and one token; the
                    # per-post limit is counted the same way.
                    "GAZETTE_COMMENTS_PER_POST": "1000",
                },
                workers=4,
            )
            self.page_url = base + self.post.get_absolute_url()
            self.comment_url = base + f"/comments/{self.post.pk}/post/"
            self.token_url = base + f"/comments/{self.post.pk}/token/"
            errors: list[str] = []
            earlier = self.warm_up(errors)

            flooded = {address: Answers() for address in FLOODERS}
            tokens = {
                address: [
                    self.fresh_token(address) for _ in range(SENDERS * FLOOD_EACH)
                ]
                for address in FLOODERS
            }
            floods = partial(self.flood, tokens, flooded)
            replayed = [Answers() for _ in range(TOKENS)]
            replays = partial(
                self.replay,
                [self.fresh_token("203.0.113.250") for _ in range(TOKENS)],
                replayed,
            )
            stop, waits = threading.Event(), []
            reader = threading.Thread(target=self.read, args=(stop, waits, errors))
            reader.start()
            began = time.monotonic()
            all_at_once([floods, replays], errors)
            flood_seconds = time.monotonic() - began
            stop.set()
            reader.join(timeout=TIMEOUT)

            log = server_log(var_dir)
            self.assertEqual(errors, [], log)
            self.assertNotIn("Traceback", log)
            # From each address: exactly PER_IP comments, the rest refused.
            for address, answers in flooded.items():
                self.assertEqual(answers.errors, [])
                self.assertEqual(len(answers.statuses), SENDERS * FLOOD_EACH)
                self.assertEqual(len(answers.accepted), PER_IP, address)
                self.assertEqual(set(answers.statuses), {302, 429}, log)
                self.assertIn("Too many comments", answers.refusals[0])
            # Each token sent from many addresses at once: stored once.
            for answers in replayed:
                self.assertEqual(answers.errors, [])
                self.assertEqual(len(answers.accepted), 1)
                self.assertEqual(set(answers.statuses), {302, 400}, log)
                self.assertIn("already sent once", answers.refusals[0])
            # Everything accepted is stored, once, and nothing else is.
            stored = Comment.objects.filter(post=self.post)
            self.assertEqual(
                sorted(stored.values_list("body", flat=True)),
                sorted(
                    earlier
                    + [
                        body
                        for answers in flooded.values()
                        for body in answers.accepted
                    ]
                    + [body for answers in replayed for body in answers.accepted]
                ),
            )
            for address in FLOODERS:
                self.assertEqual(stored.filter(ip_address=address).count(), PER_IP)
            # The reader kept reading, and never waited long.
            self.assertGreater(len(waits), 3)
            self.assertLess(
                max(waits),
                READ_WITHIN,
                f"{len(waits)} reads took {statistics.median(waits):.2f} s "
                f"(median), {max(waits):.2f} s at most, during a "
                f"{flood_seconds:.1f} s flood",
            )
