"""HTTP signatures as the fediverse uses them: the "Signature" header of the
draft-cavage-http-signatures draft (version 12), with RSA and SHA-256.

Mastodon and most of the fediverse still speak this draft rather than its
successor, RFC 9421 ("Signature-Input" and "Signature" headers): a library
made for the RFC would not be understood by them. The draft is small, so it
is implemented here on top of `cryptography`:

* the signing string is one line per signed header, `name: value`, in the
  order the `headers` parameter gives, with the pseudo-header
  `(request-target)` as `post /path?query`;
* a POST signs `(request-target) host date digest`, where `Digest` is
  `SHA-256=` and the base64 SHA-256 of the body; a GET signs
  `(request-target) host date`;
* the key is named by `keyId`, the address of the sender's public key: its
  actor document's `publicKey`.

The blog signs its own GETs of documents too, once it has an actor: servers
in "authorized fetch" (secure) mode answer nothing unsigned.

Verifying refuses a request that is not signed, is signed with another
algorithm, leaves one of those headers out of the signature, carries a body
that does not match its digest, or is dated more than five minutes from now.
Keys are fetched through `gazette.lib.fetch` (public addresses only) and
cached; a key that fails is fetched once more, in case the sender changed it.
"""

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.core.cache import cache

from gazette import limits
from gazette.federation import fields
from gazette.lib import fetch
from gazette.lib.links import web_address

CLOCK_SKEW = timedelta(minutes=5)
KEY_CACHE_SECONDS = 24 * 3600
FAILED_KEY_SECONDS = 5 * 60
REFRESH_EVERY = timedelta(minutes=1)
KEY_FETCH_WINDOW = timedelta(minutes=10)
KEY_FETCHES_PER_HOST = 120
MAX_KEY_DOCUMENT = 256 * 1024
ACTIVITY_JSON = "application/activity+json"
ACCEPT_ACTIVITY = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
# "hs2019" is the draft's later name for "the algorithm the key says": for the
# RSA keys actors publish, that is RSA-SHA256 too.
ALGORITHMS = ("rsa-sha256", "hs2019")
REQUIRED = {
    "post": ("(request-target)", "host", "date", "digest"),
    "get": ("(request-target)", "host", "date"),
}
_PARAMETER = re.compile(r'\s*([a-zA-Z]+)\s*=\s*"([^"]*)"\s*,?')


class Invalid(Exception):
    """The request's signature is missing or does not hold; the message says why."""


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    owner: str  # the actor whose key it is
    pem: str
    fresh: bool = False  # fetched just now rather than read from the cache


def digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def http_date(when: datetime | None = None) -> str:
    return format_datetime((when or datetime.now(UTC)).astimezone(UTC), usegmt=True)


def sign(
    method: str,
    url: str,
    *,
    key_id: str,
    private_key_pem: str,
    body: bytes | None = None,
    date: datetime | None = None,
) -> dict[str, str]:
    """The headers that sign a request to `url`: Host, Date, Digest (with a
    body) and Signature."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Host": parts.netloc, "Date": http_date(date)}
    if body is not None:
        headers["Digest"] = digest(body)
    names = ["(request-target)", "host", "date"] + (
        ["digest"] if body is not None else []
    )
    lowered = {name.lower(): value for name, value in headers.items()}
    text = _signing_string(method, target, names, lowered)
    key = serialization.load_pem_private_key(private_key_pem.encode(), None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("Only RSA keys sign requests here.")
    signature = key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    headers["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",'
        f'headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return headers


def verify(
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime | None = None,
) -> PublicKey:
    """Check the signature of a request for `target` (its path and query) and
    return the key that signed it. Raises Invalid. `headers` must look names
    up without regard to case (Django's request.headers does)."""
    parameters = parse_signature(headers.get("Signature", ""))
    check_signed_parts(method, headers, body, parameters, now=now)
    names = parameters["headers"].lower().split()
    lowered = {name: headers.get(name, "") for name in names}
    text = _signing_string(method, target, names, lowered).encode()
    signature = _b64(parameters["signature"])
    key = public_key(parameters["keyId"])
    if _holds(key.pem, signature, text):
        return key
    if key.fresh:
        raise Invalid("The signature does not match the sender's key.")
    # The sender may have changed its key since it was cached: ask once more.
    key = public_key(parameters["keyId"], refresh=True)
    if _holds(key.pem, signature, text):
        return key
    raise Invalid("The signature does not match the sender's key.")


def parse_signature(header: str) -> dict[str, str]:
    """The Signature header's parameters; Invalid when it is missing or lacks
    one the draft requires."""
    if not header:
        raise Invalid("The request is not signed.")
    parameters = {name: value for name, value in _PARAMETER.findall(header)}
    for name in ("keyId", "signature"):
        if not parameters.get(name):
            raise Invalid(f"The signature has no {name}.")
    parameters.setdefault("algorithm", "hs2019")
    parameters.setdefault("headers", "date")  # the draft's default
    return parameters


def check_signed_parts(
    method: str,
    headers: Mapping[str, str],
    body: bytes,
    parameters: dict[str, str],
    *,
    now: datetime | None = None,
) -> None:
    """Everything that can be checked before the key is fetched: the algorithm,
    the headers signed, the digest and the date. Raises Invalid."""
    if parameters["algorithm"].lower() not in ALGORITHMS:
        raise Invalid(f"The algorithm {parameters['algorithm']!r} is not accepted.")
    signed = parameters["headers"].lower().split()
    missing = [name for name in REQUIRED.get(method.lower(), ()) if name not in signed]
    if missing:
        raise Invalid(f"The signature leaves out {', '.join(missing)}.")
    for name in signed:
        if name != "(request-target)" and name not in headers:
            raise Invalid(f"The signed header {name} is not in the request.")
    if "digest" in signed:
        _check_digest(headers["Digest"], body)
    try:
        sent_at = parsedate_to_datetime(headers.get("Date", ""))
    except (TypeError, ValueError) as error:
        raise Invalid("The request's date cannot be read.") from error
    if sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=UTC)
    if abs((now or datetime.now(UTC)) - sent_at) > CLOCK_SKEW:
        raise Invalid("The request's date is too far from now.")


def public_key(key_id: str, *, refresh: bool = False) -> PublicKey:
    """The key named `key_id`, from the cache or fetched from its actor
    document. Raises Invalid.

    A fetch happens while the sender waits, so strangers must not be able to
    make many: a key that could not be had is not asked for again for
    FAILED_KEY_SECONDS, a cached key is fetched afresh (`refresh`, when a
    signature fails it) at most once a minute, and one server's keys are
    fetched at most KEY_FETCHES_PER_HOST times in KEY_FETCH_WINDOW.
    """
    digest = hashlib.sha256(key_id.encode()).hexdigest()
    cache_key, failed_key = f"federation:key:{digest}", f"federation:no-key:{digest}"
    if not refresh:
        cached = cache.get(cache_key)
        if cached is not None:
            return PublicKey(*cached)
    elif not limits.use_once(f"federation:key-refresh:{digest}", REFRESH_EVERY):
        raise Invalid("The sender's key was fetched afresh a moment ago.")
    if cache.get(failed_key):
        raise Invalid("The sender's key could not be had a moment ago.")
    host = (urlsplit(web_address(key_id)).hostname or "").lower()
    fetches = limits.count(f"federation:key-fetches:{host}", KEY_FETCH_WINDOW)
    if fetches > KEY_FETCHES_PER_HOST:
        raise Invalid("Too many keys fetched from this server lately.")
    try:
        key = _key_in(fetch_document(key_id.split("#", 1)[0]), key_id)
    except Invalid:
        cache.set(failed_key, True, FAILED_KEY_SECONDS)
        raise
    cache.set(cache_key, (key.key_id, key.owner, key.pem), KEY_CACHE_SECONDS)
    return replace(key, fresh=True)


def fetch_document(url: str) -> dict:
    """An ActivityPub document at `url`, fetched safely, signed by the blog
    when it has an actor. Raises Invalid."""
    if not web_address(url, max_length=2000):
        raise Invalid(f"{url[:200]!r} is not a web address.")
    headers = {"Accept": ACCEPT_ACTIVITY, **_signed_get(url)}
    try:
        answer = fetch.get(url, max_bytes=MAX_KEY_DOCUMENT, headers=headers)
    except fetch.FetchError as error:
        raise Invalid(f"{url} could not be fetched: {error}") from error
    if answer.status != 200:
        raise Invalid(f"{url} answered {answer.status}.")
    try:
        document = json.loads(answer.body)
    except ValueError as error:
        raise Invalid(f"{url} is not JSON.") from error
    if not isinstance(document, dict):
        raise Invalid(f"{url} is not a JSON object.")
    return document


def _signed_get(url: str) -> dict[str, str]:
    """The Date and Signature headers of a GET of `url` by the blog's actor,
    or none before it has one."""
    # Imported here: documents builds the blog's key on this module.
    from gazette.federation import documents

    actor = documents.load_actor()
    parts = urlsplit(url)
    if actor is None or not parts.hostname:
        return {}
    # Signed for the Host header http.client sends (the port only when it is
    # not the scheme's own), and that header is left to it: were a redirect
    # followed to another host, a Host given here would go there too.
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    try:
        port = parts.port
    except ValueError:
        return {}  # not an address: fetch refuses it
    if port is not None and port != {"http": 80, "https": 443}.get(parts.scheme):
        host += f":{port}"
    headers = sign(
        "GET",
        parts._replace(netloc=host).geturl(),
        key_id=documents.key_id(actor),
        private_key_pem=actor.private_key_pem,
    )
    del headers["Host"]
    return headers


def _key_in(document: dict, key_id: str) -> PublicKey:
    """The key `key_id` in an actor document, or a key document itself."""
    candidates = document.get("publicKey", document)
    if isinstance(candidates, dict):
        candidates = [candidates]
    if not isinstance(candidates, list):
        candidates = []
    for candidate in candidates:
        if not isinstance(candidate, dict) or candidate.get("id") != key_id:
            continue
        owner, pem = candidate.get("owner"), candidate.get("publicKeyPem")
        if isinstance(owner, str) and isinstance(pem, str):
            # A key may only speak for an actor on its own host.
            if not fields.same_origin(owner, key_id):
                raise Invalid("The key's owner is on another host.")
            return PublicKey(key_id, owner, pem)
    raise Invalid(f"No key {key_id} in the document.")


def _holds(pem: str, signature: bytes, text: bytes) -> bool:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError:
        return False
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(signature, text, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def _check_digest(header: str, body: bytes) -> None:
    for part in header.split(","):
        algorithm, _, value = part.strip().partition("=")
        if algorithm.lower() == "sha-256":
            if value != digest(body).partition("=")[2]:
                raise Invalid("The body does not match its digest.")
            return
    raise Invalid("The digest is not SHA-256.")


def _signing_string(
    method: str, target: str, names: list[str], headers: Mapping[str, str]
) -> str:
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
        else:
            lines.append(f"{name}: {headers[name].strip()}")
    return "\n".join(lines)


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except ValueError as error:
        raise Invalid("The signature is not base64.") from error


def new_private_key_pem() -> tuple[str, str]:
    """A new 2048-bit RSA key pair as (private PEM, public PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode()
    )
    return private, public
