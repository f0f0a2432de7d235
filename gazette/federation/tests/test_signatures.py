"""HTTP signatures (draft-cavage), signed by the blog and checked by the inbox's
verifier, with the key served by a fake Mastodon on loopback."""

from datetime import UTC, datetime, timedelta
from unittest import mock

from django.core.cache import cache
from django.test import TestCase, override_settings
from django.utils.datastructures import CaseInsensitiveMapping

from gazette.federation import signatures
from gazette.federation.tests.mastodon import FakeMastodon

BODY = b'{"type": "Follow"}'
PATH = "/federation/inbox"


@override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True)
class SignaturesTest(TestCase):  # fetching a key reads the blog's actor
    fake: FakeMastodon
    private_pem: str
    public_pem: str

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeMastodon()
        cls.fake.start()
        cls.private_pem, cls.public_pem = signatures.new_private_key_pem()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        super().tearDownClass()

    def setUp(self):
        cache.clear()
        self.fake.serve_actor()

    def check(self, headers: dict[str, str], body: bytes = BODY, **kwargs):
        return signatures.verify(
            "POST", PATH, CaseInsensitiveMapping(headers), body, **kwargs
        )

    def test_it_verifies_what_mastodon_signs(self):
        key = self.check(self.fake.signed_headers(PATH, BODY))
        self.assertEqual(key.owner, self.fake.actor_id)

    def test_what_it_signs_mastodon_verifies(self):
        url = self.fake.url + "/inbox"
        headers = signatures.sign(
            "POST",
            url,
            key_id="https://blog.example/federation/actor#main-key",
            private_key_pem=self.private_pem,
            body=BODY,
        )
        self.fake.known_keys = {
            "https://blog.example/federation/actor#main-key": self.public_pem
        }
        lowered = {name.lower(): value for name, value in headers.items()}
        self.assertEqual(
            self.fake.check_signature("/inbox", lowered, BODY),
            "https://blog.example/federation/actor#main-key",
        )
        self.assertEqual(self.fake.check_signature("/inbox", lowered, BODY + b" "), "")
        self.assertEqual(self.fake.check_signature("/other", lowered, BODY), "")

    def test_it_refuses_a_tampered_body(self):
        headers = self.fake.signed_headers(PATH, BODY)
        with self.assertRaisesMessage(signatures.Invalid, "digest"):
            self.check(headers, b'{"type": "Delete"}')
        # The digest recomputed for the new body: the signature no longer holds.
        headers["Digest"] = signatures.digest(b'{"type": "Delete"}')
        with self.assertRaisesMessage(signatures.Invalid, "does not match"):
            self.check(headers, b'{"type": "Delete"}')

    def test_it_refuses_another_key_and_fetches_once_more_first(self):
        headers = self.fake.signed_headers(PATH, BODY)
        # Ana's server shows a key that did not make her signature: refused.
        other = signatures.new_private_key_pem()[1]
        self.fake.serve_actor(
            publicKey={
                "id": self.fake.key_id,
                "owner": self.fake.actor_id,
                "publicKeyPem": other,
            }
        )
        with self.assertRaisesMessage(signatures.Invalid, "does not match"):
            self.check(headers)
        self.assertEqual(signatures.public_key(self.fake.key_id).pem, other)
        # It shows the right one again (a key rotation): the cached key fails,
        # the key is fetched once more, and the signature holds.
        self.fake.serve_actor()
        self.assertEqual(self.check(headers).pem, self.fake.public_pem)

    def fetches_of(self, path: str) -> int:
        return sum(1 for fetched, _ in self.fake.fetched if fetched == path)

    def test_a_stranger_cannot_make_it_fetch_keys_again_and_again(self):
        self.fake.fetched.clear()
        # A key that cannot be had is not asked for again for a while.
        missing = self.fake.signed_headers(
            PATH, BODY, key_id=self.fake.url + "/users/nobody#main-key"
        )
        for _ in range(3):
            with self.assertRaises(signatures.Invalid):
                self.check(missing)
        self.assertEqual(self.fetches_of("/users/nobody"), 1)
        # A key that fails when fetched is not fetched again at once; once
        # cached, it is fetched afresh once a minute at most.
        other = signatures.new_private_key_pem()[1]
        self.fake.serve_actor(
            publicKey={
                "id": self.fake.key_id,
                "owner": self.fake.actor_id,
                "publicKeyPem": other,
            }
        )
        headers = self.fake.signed_headers(PATH, BODY)
        for _ in range(4):
            with self.assertRaises(signatures.Invalid):
                self.check(headers)
        self.assertEqual(self.fetches_of("/users/ana"), 2)
        # And one server's keys are fetched a bounded number of times.
        with mock.patch.object(signatures, "KEY_FETCHES_PER_HOST", 3):
            for number in range(5):
                key_id = f"{self.fake.url}/users/u{number}#main-key"
                with self.assertRaises(signatures.Invalid) as refused:
                    self.check(self.fake.signed_headers(PATH, BODY, key_id=key_id))
            self.assertIn("Too many keys", str(refused.exception))
        self.assertEqual(self.fetches_of("/users/u4"), 0)

    def test_it_refuses_a_stale_or_future_date(self):
        for shift in (timedelta(minutes=-6), timedelta(minutes=6)):
            with self.subTest(shift=shift):
                date = datetime.now(UTC) + shift
                headers = self.fake.signed_headers(PATH, BODY, date=date)
                with self.assertRaisesMessage(signatures.Invalid, "date"):
                    self.check(headers)
        # Within the five minutes' skew, it holds.
        date = datetime.now(UTC) - timedelta(minutes=4)
        self.check(self.fake.signed_headers(PATH, BODY, date=date))

    def test_it_refuses_missing_parts(self):
        headers = self.fake.signed_headers(PATH, BODY)
        cases = {
            "not signed": {k: v for k, v in headers.items() if k != "Signature"},
            "leaves out digest": {
                **headers,
                "Signature": headers["Signature"].replace(" digest", ""),
            },
            "algorithm": {
                **headers,
                "Signature": headers["Signature"].replace("rsa-sha256", "hmac-sha1"),
            },
            "not in the request": {k: v for k, v in headers.items() if k != "Date"},
            "no keyId": {
                **headers,
                "Signature": headers["Signature"].replace("keyId", "kid"),
            },
        }
        for message, broken in cases.items():
            with (
                self.subTest(message),
                self.assertRaisesMessage(signatures.Invalid, message),
            ):
                self.check(broken)

    def test_it_refuses_keys_on_private_addresses(self):
        headers = self.fake.signed_headers(PATH, BODY)
        for address in ("http://10.0.0.7/users/x", "http://192.168.1.20/users/x"):
            with self.subTest(address):
                forged = headers["Signature"].replace(self.fake.actor_id, address)
                with self.assertRaisesMessage(signatures.Invalid, "not a public"):
                    self.check({**headers, "Signature": forged})
