"""A small fake Mastodon for the tests: a server on 127.0.0.1 (FakeServer) with
one account, "ana", her RSA key and actor document, and an inbox that records
what it is sent and checks each delivery's signature.

It signs and verifies with its own few lines of code, written from the
draft-cavage text, rather than with gazette.federation.signatures: the blog's
signatures are checked by something other than themselves.
"""

import base64
import hashlib
import json
import re
import unittest
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.test import Client
from django.urls import reverse

from gazette.test import FakeServer

# One key for every fake: making an RSA key takes a moment.
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signed_by: str  # the keyId whose signature held, or "" when none did

    @property
    def activity(self) -> dict:
        return json.loads(self.body)


class FakeMastodon(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.key = _KEY
        self.public_pem = (
            self.key.public_key()
            .public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            )
            .decode()
        )
        # The keys the fake trusts, by keyId: the test tells it the blog's.
        self.known_keys: dict[str, str] = {}
        self.inbox: list[Received] = []
        # Paths that answer 503, as a server that is down for a while.
        self.down: set[str] = set()
        # "Authorized fetch": every GET must be signed by a known key. Each GET
        # is recorded with the keyId that signed it ("" when none did).
        self.require_signed_gets = False
        self.fetched: list[tuple[str, str]] = []
        self.documents: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.serve_actor()

    def answer_get(self, path, headers):
        signed_by = self.check_signature(path, headers, b"", "get")
        self.fetched.append((path, signed_by))
        if self.require_signed_gets and not signed_by:
            return 401, {}, b""
        status, document_headers, body = self.documents.get(path, (404, {}, b"{}"))
        content_type = {"Content-Type": "application/activity+json"}
        return status, {**content_type, **document_headers}, body

    def answer_post(self, path, headers, body):
        if path in self.down:
            return 503
        signed_by = self.check_signature(path, headers, body)
        self.inbox.append(Received(path, headers, body, signed_by))
        return 202 if signed_by else 401

    @property
    def actor_id(self) -> str:
        return self.url + "/users/ana"

    @property
    def key_id(self) -> str:
        return self.actor_id + "#main-key"

    def serve_actor(self, **changes) -> None:
        document = {
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": self.actor_id,
            "type": "Person",
            "preferredUsername": "ana",
            "name": "Ana Alves",
            "url": self.url + "/@ana",
            "inbox": self.actor_id + "/inbox",
            "endpoints": {"sharedInbox": self.url + "/inbox"},
            "publicKey": {
                "id": self.key_id,
                "owner": self.actor_id,
                "publicKeyPem": self.public_pem,
            },
            **changes,
        }
        self.put("/users/ana", document)

    def serve_key_document(self) -> str:
        """Serve ana's key at an address of its own, as GoToSocial does
        (`/users/ana/main-key`, a document naming the key and its owner), and
        name that address in her actor document; the new keyId."""
        key_id = self.actor_id + "/main-key"
        public_key = {
            "id": key_id,
            "owner": self.actor_id,
            "publicKeyPem": self.public_pem,
        }
        self.serve_actor(publicKey=public_key)
        self.put(
            "/users/ana/main-key",
            {
                "@context": ["https://www.w3.org/ns/activitystreams"],
                "id": self.actor_id,
                "type": "Person",
                "preferredUsername": "ana",
                "publicKey": public_key,
            },
        )
        return key_id

    def reset(self) -> None:
        """As new: nothing received or fetched, ana as first served, no path
        down, unsigned fetches answered."""
        self.inbox.clear()
        self.fetched.clear()
        self.down.clear()
        self.require_signed_gets = False
        self.serve_actor()

    def trust(self, actor: dict) -> None:
        """Let the fake check signatures made with `actor`'s key."""
        key = actor["publicKey"]
        self.known_keys[key["id"]] = key["publicKeyPem"]

    def put(self, path: str, document: dict, status: int = 200, **headers) -> None:
        self.documents[path] = (status, headers, json.dumps(document).encode())

    def signed_headers(
        self,
        path: str,
        body: bytes,
        *,
        host: str = "testserver",
        date=None,
        key_id: str = "",
        order: tuple[str, ...] = ("(request-target)", "host", "date", "digest"),
        algorithm: str = "rsa-sha256",
    ) -> dict[str, str]:
        """Headers signing a POST of `body` to `path` on `host`, as Mastodon
        signs its deliveries (by ana's key, unless another `key_id` names the
        same key in another account). Other servers sign other headers, in
        another `order` ("content-length" too, for Pleroma), or name the
        `algorithm` "hs2019"."""
        date_text = format_datetime(date or datetime.now(UTC), usegmt=True)
        digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        headers = {
            "Host": host,
            "Date": date_text,
            "Digest": digest,
            "Content-Length": str(len(body)),
        }
        lowered = {name.lower(): value for name, value in headers.items()}
        text = "\n".join(
            f"(request-target): post {path}"
            if name == "(request-target)"
            else f"{name}: {lowered[name]}"
            for name in order
        )
        signature = self.key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
        # Content-Length is the client's to send; it is only signed here.
        del headers["Content-Length"]
        return {
            **headers,
            "Signature": (
                f'keyId="{key_id or self.key_id}",algorithm="{algorithm}",'
                f'headers="{" ".join(order)}",'
                f'signature="{base64.b64encode(signature).decode()}"'
            ),
        }

    def check_signature(
        self, path: str, headers: dict[str, str], body: bytes, method: str = "post"
    ) -> str:
        """The keyId of a known key whose signature of this request holds (a
        GET signs no digest)."""
        fields = dict(re.findall(r'(\w+)="([^"]*)"', headers.get("signature", "")))
        names = fields.get("headers", "").split()
        pem = self.known_keys.get(fields.get("keyId", ""))
        required = {"(request-target)", "host", "date"}
        if method == "post":
            required.add("digest")
        if pem is None or not required <= set(names):
            return ""
        digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        if method == "post" and headers.get("digest") != digest:
            return ""
        lines = [
            f"(request-target): {method} {path}"
            if name == "(request-target)"
            else f"{name}: {headers.get(name, '')}"
            for name in names
        ]
        key = serialization.load_pem_public_key(pem.encode())
        assert isinstance(key, rsa.RSAPublicKey)
        try:
            key.verify(
                base64.b64decode(fields["signature"]),
                "\n".join(lines).encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return ""
        return fields["keyId"]


class FakeMastodonMixin(unittest.TestCase):
    """One FakeMastodon for a whole test class, as `cls.fake`, stopped after
    its tests; before each test it is as new and trusts the blog's key
    (`self.blog`, the blog's actor document).

    Put it before Django's test case in the bases, `class T(FakeMastodonMixin,
    BaseTestCase)`; it derives from unittest's TestCase only so that its
    set-up can call the next one's, type-checked."""

    fake: FakeMastodon
    client: Client  # the Django test case's
    blog: dict

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.fake = FakeMastodon()
        cls.fake.start()
        cls.addClassCleanup(cls.fake.stop)

    def setUp(self) -> None:
        super().setUp()
        self.fake.known_keys.clear()
        self.fake.reset()
        self.blog = self.get_json(reverse("federation:actor"))
        self.fake.trust(self.blog)

    def get_json(self, url: str) -> dict:
        answer = self.client.get(url, HTTP_ACCEPT="application/activity+json")
        self.assertEqual(answer.status_code, 200)
        return json.loads(answer.content)
