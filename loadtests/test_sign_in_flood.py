"""A flood of wrong passwords on the production server (`gazette serve`, several worker
processes): the throttle holds, the owner signs in at once from a clean address
in the middle of it, and the owner is mailed that the account is being guessed.

The server runs as if behind a proxy (GAZETTE_BEHIND_PROXY), so each request
names its address in X-Forwarded-For. Eleven addresses guess the `admin`
password at once, two threads each; one more address sprays many usernames. Its
mail goes to files (GAZETTE_EMAIL_FILE_PATH), sent by the task worker, which the
test runs once the flood is over."""

import math
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import TransactionTestCase

from gazette.accounts.models import SignInFailure
from loadtests.server import (
    ROOT,
    NoRedirects,
    gazette_env,
    server_log,
    start_server,
)

WORKERS = 3
GUESSERS = [f"198.51.100.{n}" for n in range(1, 12)]
THREADS_PER_GUESSER = 2
TRIES_PER_THREAD = 5
SPRAYER = "203.0.113.66"
SPRAYS = 12
OWNER = "192.0.2.10"
OWNER_PASSWORD = "correct horse battery staple"
# Seconds the owner may wait for an answer, queued behind the flood's requests
# on a busy test machine; a lock-out would answer 429 at any speed.
SIGN_IN_WITHIN = 10.0
TIMEOUT = 30
# The throttle's own numbers (gazette/accounts/throttle.py).
USERNAME_FREE_FAILURES = 5
ADDRESS_FREE_FAILURES = 3


@dataclass
class Answers:
    """Status codes and refusal pages, gathered across threads."""

    statuses: list[int] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    first_refusal: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, page: str) -> None:
        with self.lock:
            self.statuses.append(status)
            if status == 429:
                self.refusals.append(page)
                self.first_refusal.set()

    def count(self, status: int) -> int:
        return self.statuses.count(status)


@dataclass
class OwnerAttempt:
    """How the owner's sign-in went."""

    during_flood: bool = False
    status: int = 0
    location: str = ""
    cookies: str = ""
    seconds: float = 0.0
    error: str = ""


class SignInFloodTest(TransactionTestCase):
    def setUp(self):
        owner = get_user_model().objects.create_user("admin", "owner@example.org")
        # The server hashes with Argon2; the tests' own settings only know MD5.
        hasher = Argon2PasswordHasher()
        owner.password = hasher.encode(OWNER_PASSWORD, hasher.salt())
        owner.save()

    def request(
        self, address: str, path: str, data: dict | None = None, cookies: str = ""
    ):
        """`path` as a browser at `address` behind the proxy would ask it: over
        HTTPS, with the Origin a browser sends with a form."""
        headers = {
            "X-Forwarded-For": address,
            "X-Forwarded-Proto": "https",
            "Origin": "https://" + self.host,
        }
        if cookies:
            headers["Cookie"] = cookies
        body = urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, body, headers=headers)
        return urllib.request.build_opener(NoRedirects).open(request, timeout=TIMEOUT)

    def form_pass(self, address: str) -> tuple[str, str]:
        """A CSRF cookie and the form's token, from the sign-in page."""
        with self.request(address, "/desk/sign-in/") as page:
            html = page.read().decode()
            cookie = SimpleCookie(page.headers["Set-Cookie"])["csrftoken"].value
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert found is not None, "no CSRF token on the sign-in page"
        return f"csrftoken={cookie}", found.group(1)

    def try_password(self, address: str, username: str, password: str, answers):
        cookies, token = self.form_pass_of[address]
        data = {
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
        }
        try:
            with self.request(address, "/desk/sign-in/", data, cookies) as page:
                answers.add(page.status, page.read().decode())
        except urllib.error.HTTPError as answer:
            answers.add(answer.code, answer.read().decode(errors="replace"))

    def guesser(self, address: str, n: int, start: threading.Barrier, answers):
        try:
            start.wait(timeout=TIMEOUT)
            for i in range(TRIES_PER_THREAD):
                self.try_password(address, "admin", f"guess-{n}-{i}", answers)
        except Exception as error:  # noqa: BLE001 - reported by the test
            with answers.lock:
                answers.errors.append(repr(error))

    def sprayer(self, start: threading.Barrier, answers):
        try:
            start.wait(timeout=TIMEOUT)
            for i in range(SPRAYS):
                self.try_password(SPRAYER, f"editor{i}", "password1", answers)
        except Exception as error:  # noqa: BLE001 - reported by the test
            with answers.lock:
                answers.errors.append(repr(error))

    def owner_signs_in(self, guessing: Answers, outcome: OwnerAttempt):
        """Once the guessers are being refused, the owner signs in."""
        try:
            guessing.first_refusal.wait(timeout=TIMEOUT)
            outcome.during_flood = guessing.first_refusal.is_set()
            cookies, token = self.form_pass(OWNER)
            data = {
                "csrfmiddlewaretoken": token,
                "username": "admin",
                "password": OWNER_PASSWORD,
            }
            began = time.monotonic()
            try:
                self.request(OWNER, "/desk/sign-in/", data, cookies).close()
                outcome.status = 200
            except urllib.error.HTTPError as answer:
                outcome.status = answer.code
                outcome.location = answer.headers.get("Location", "")
                outcome.cookies = " ".join(answer.headers.get_all("Set-Cookie", []))
            outcome.seconds = time.monotonic() - began
        except Exception as error:  # noqa: BLE001 - reported by the test
            outcome.error = repr(error)

    def run_mail_worker(self, var_dir: str, mail_dir: str) -> None:
        """Send the queued mail: the task worker, until the queue is empty."""
        env = gazette_env(var_dir, {"GAZETTE_EMAIL_FILE_PATH": mail_dir})
        subprocess.run(
            [sys.executable, "-m", "gazette", "db_worker", "--batch", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=TIMEOUT,
            capture_output=True,
        )

    def test_the_throttle_holds_and_the_owner_gets_in_and_is_told(self):
        with tempfile.TemporaryDirectory() as var_dir:
            mail_dir = str(Path(var_dir) / "mail")
            self.base = start_server(
                self,
                var_dir,
                {
                    "GAZETTE_HTTPS": "1",
                    "GAZETTE_BEHIND_PROXY": "1",
                    "GAZETTE_EMAIL_FILE_PATH": mail_dir,
                },
                workers=WORKERS,
            )
            self.host = self.base.removeprefix("http://")
            self.form_pass_of = {
                address: self.form_pass(address) for address in GUESSERS + [SPRAYER]
            }

            guessing, spraying = Answers(), Answers()
            owner = OwnerAttempt()
            start = threading.Barrier(len(GUESSERS) * THREADS_PER_GUESSER + 1)
            threads = [
                threading.Thread(
                    target=self.guesser, args=(address, n, start, guessing)
                )
                for address in GUESSERS
                for n in range(THREADS_PER_GUESSER)
            ] + [threading.Thread(target=self.sprayer, args=(start, spraying))]
            owner_thread = threading.Thread(
                target=self.owner_signs_in, args=(guessing, owner)
            )
            began = time.monotonic()
            owner_thread.start()
            for thread in threads:
                thread.start()
            for thread in threads + [owner_thread]:
                thread.join(timeout=TIMEOUT * 2)
            flood_seconds = time.monotonic() - began
            self.assertFalse(any(t.is_alive() for t in threads), "guessers hung")

            log = server_log(var_dir)
            self.assertEqual(guessing.errors + spraying.errors, [], log)
            self.assertNotIn("Traceback", log)

            # Every try was answered "wrong password" (200) or "wait" (429).
            tries = len(GUESSERS) * THREADS_PER_GUESSER * TRIES_PER_THREAD
            self.assertEqual(len(guessing.statuses), tries)
            self.assertEqual(set(guessing.statuses), {200, 429}, log)
            self.assertIn("Please wait", guessing.refusals[0])
            # The throttle held: past the free failures, each guessing address
            # got its first try and then waited; only tries that raced in
            # together (one per worker) or that came after a delay had run
            # out got through.
            delays_run_out = math.ceil(math.log2(1 + flood_seconds))
            allowed = (
                USERNAME_FREE_FAILURES + len(GUESSERS) + WORKERS * (1 + delays_run_out)
            )
            checked = guessing.count(200)
            self.assertLessEqual(
                checked,
                allowed,
                f"{checked} of {tries} guesses were checked in {flood_seconds:.1f} s",
            )
            self.assertGreater(guessing.count(429), tries * 0.75)
            # Every password checked is a failure stored; none was lost to a race.
            self.assertEqual(
                SignInFailure.objects.filter(username="admin").count(), checked
            )
            # The sprayer: a few usernames, then waits for any username.
            self.assertLessEqual(
                spraying.count(200),
                ADDRESS_FREE_FAILURES + WORKERS * (1 + delays_run_out),
            )
            self.assertGreater(spraying.count(429), SPRAYS // 2)

            # The owner, from a clean address, signed in during the flood.
            self.assertEqual(owner.error, "")
            self.assertTrue(owner.during_flood, "the guessers were never refused")
            self.assertEqual(owner.status, 302, log)
            self.assertEqual(owner.location, "/desk/")
            self.assertIn("sessionid=", owner.cookies)
            self.assertLess(owner.seconds, SIGN_IN_WITHIN)

            # The owner is told, once.
            self.run_mail_worker(var_dir, mail_dir)
            messages = [path.read_text() for path in Path(mail_dir).glob("*")]
            warnings = [m for m in messages if "guessing your password" in m]
            self.assertEqual(len(warnings), 1, messages)
            self.assertIn("To: owner@example.org", warnings[0])
            self.assertIn("198.51.100.", warnings[0])
