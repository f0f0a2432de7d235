"""Hostile input to the doors other servers knock on: the ActivityPub inbox,
WebFinger, the webmention endpoint, and what the worker does with whatever the
inbox accepted.

Every answer must be one the endpoint means to give (never a 500), and the
worker must turn any activity, however it is shaped, into "done" or "ignored"
with a reason, never an exception. Nothing reaches the network: fetches of the
remote actor get a hostile actor document, every other fetch is refused as a
private address would be.
"""

import json
from email.message import Message
from itertools import count
from unittest import mock

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gazette.federation import documents, inbox
from gazette.federation.models import Incoming
from gazette.lib import fetch
from gazette.test import BaseTestCase
from gazette.webmentions import pages
from hostile.payloads import all_payloads

EXAMPLES = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ORIGIN = "http://testserver"
REMOTE = "https://far.example/users/ana"

# The words activities are made of, so that the shapes drawn come near enough
# to real ones to reach every handler.
KINDS = [
    "Create",
    "Update",
    "Delete",
    "Follow",
    "Undo",
    "Like",
    "Announce",
    "Note",
    "Article",
    "Tombstone",
    "Person",
    "Accept",
    "Move",
]
FIELDS = [
    "id",
    "type",
    "actor",
    "object",
    "inReplyTo",
    "attributedTo",
    "content",
    "contentMap",
    "url",
    "icon",
    "to",
    "cc",
    "tag",
    "name",
]


def addresses(post_path: str) -> st.SearchStrategy[str]:
    """Addresses of the blog's own (the post's page and Article, its comments,
    the actor) most of the time, else remote, private or not web addresses.
    `post_path` is the post's page, "|" its Article's path."""
    page, article = post_path.split("|")
    own = [
        ORIGIN + page,
        ORIGIN + article,
        ORIGIN + page + "#comment-1",
        ORIGIN + "/federation/actor",
    ]
    return st.one_of(
        st.sampled_from(own),
        st.sampled_from(
            [
                REMOTE,
                REMOTE + "/statuses/1",
                ORIGIN + "/federation/comments/1",
                "http://10.0.0.1/x",
                "http://[::1/unclosed",
                "https://a]b/",
                "javascript:alert(1)",
                "",
            ]
        ),
    )


def values(post_path: str) -> st.SearchStrategy:
    leaves = st.one_of(
        addresses(post_path),
        st.sampled_from(KINDS),
        st.sampled_from([p.text for p in all_payloads()]),
        st.text(max_size=40),
        st.integers(),
        st.none(),
        st.booleans(),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.sampled_from(FIELDS), inner, max_size=6),
        ),
        max_leaves=30,
    )


def activities(post_path: str) -> st.SearchStrategy[dict]:
    """Objects with the fields every activity has and anything under them, and
    activities shaped near enough to real ones to reach each handler's depths:
    replies and their edits and deletions, follows, likes, and their undoing."""
    anything = values(post_path)
    numbered = st.integers(0, 6)
    loose = st.fixed_dictionaries(
        {
            "id": st.builds(lambda n: f"{REMOTE}/activities/{n}", st.integers(0)),
            "type": st.sampled_from(KINDS),
            "actor": st.sampled_from([REMOTE, REMOTE + "/other"]),
        },
        optional={name: anything for name in FIELDS[3:]},
    )
    note = st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Note", "Note", "Article"]),
            "id": st.builds(lambda n: f"{REMOTE}/statuses/{n}", numbered),
            "inReplyTo": st.one_of(addresses(post_path), anything),
        },
        optional={
            "attributedTo": st.one_of(st.just(REMOTE), anything),
            "content": st.one_of(
                st.sampled_from([p.text for p in all_payloads()]), anything
            ),
            "contentMap": anything,
            "url": anything,
            "tag": anything,
        },
    )

    def activity(kind: str, object_: object, number: int) -> dict:
        return {
            "id": f"{REMOTE}/activities/{kind}-{number}",
            "type": kind,
            "actor": REMOTE,
            "object": object_,
        }

    shaped = st.one_of(
        st.builds(
            activity, st.sampled_from(["Create", "Update", "Delete"]), note, numbered
        ),
        st.builds(
            activity,
            st.sampled_from(["Follow", "Like", "Announce"]),
            st.one_of(addresses(post_path), anything),
            numbered,
        ),
        st.builds(
            activity,
            st.just("Undo"),
            st.one_of(
                st.builds(
                    activity,
                    st.sampled_from(["Follow", "Like", "Announce"]),
                    addresses(post_path),
                    numbered,
                ),
                st.builds(lambda n: f"{REMOTE}/activities/Like-{n}", numbered),
                anything,
            ),
            numbered,
        ),
    )
    return st.one_of(loose, shaped, shaped)


def refuse_every_fetch(url, *args, **kwargs):
    raise fetch.Refused(f"{url} is not fetched in this suite.")


def remote_documents(url, *args, **kwargs):
    """The remote actor's document, so that handlers go past reading who sent
    the activity (its inbox, name and icon, themselves hostile); anything else
    is refused."""
    if url.split("#")[0] != REMOTE:
        refuse_every_fetch(url)
    document = {
        "id": REMOTE,
        "type": "Person",
        "name": "<script>alert(1)</script>",
        "preferredUsername": 7,
        "inbox": "javascript:alert(1)",
        "endpoints": {"sharedInbox": "http://10.0.0.1/inbox"},
        "icon": [{"url": "http://10.0.0.1/a.png"}, None],
        "url": ["not", "an", "address"],
    }
    headers = Message()
    headers["Content-Type"] = "application/activity+json"
    return fetch.Response(REMOTE, 200, headers, json.dumps(document).encode())


@pytest.fixture(autouse=True)
def no_network():
    with (
        mock.patch.object(fetch, "get", remote_documents),
        mock.patch.object(fetch, "post", refuse_every_fetch),
        mock.patch.object(fetch, "post_bytes", refuse_every_fetch),
    ):
        yield


@override_settings(GAZETTE_FEDERATION=True, GAZETTE_SEND_WEBMENTIONS=False)
class FederationInputTest(BaseTestCase):
    @pytest.fixture(autouse=True)
    def _tally(self, hostile):
        self.hostile = hostile

    def setUp(self):
        super().setUp()
        self.post = self.make_post("Tides", body="The sea.")
        self.where = f"{self.post.get_absolute_url()}|/federation/posts/{self.post.pk}"
        documents.load_actor(ORIGIN)
        self.numbers = count()

    def test_the_worker_turns_any_activity_into_done_or_ignored(self):
        tried, through = 0, []

        @EXAMPLES
        @given(activities(self.where))
        def handle(activity):
            nonlocal tried
            tried += 1
            try:
                checked = inbox.parse(json.dumps(activity).encode())
            except inbox.Refused:
                return  # the inbox answers 400: nothing reaches the worker
            received = Incoming.objects.create(
                activity_id=f"{checked['id']}#{next(self.numbers)}",
                actor=checked["actor"],
                kind=checked["type"][:40],
                document=checked,
            )
            try:
                inbox.handle(received)
            except Exception as error:  # noqa: BLE001 - what the suite looks for
                through.append(f"{type(error).__name__}: {error} in {activity!r:.300}")
                return
            received.refresh_from_db()
            if received.status == Incoming.Status.PENDING:
                through.append(f"left pending: {activity!r:.300}")

        handle()
        self.hostile.record("federation", tried=tried, through=len(through))
        self.assertEqual(through, [], "\n".join(through[:10]))

    def test_the_inbox_answers_anything_without_failing(self):
        tried, through = 0, []
        meant = {202, 400, 401, 403, 413, 429}
        signature = st.one_of(
            st.text(max_size=200),
            st.builds(
                lambda key, headers, value: (
                    f'keyId="{key}",algorithm="hs2019",headers="{headers}",'
                    f'signature="{value}"'
                ),
                addresses(self.where),
                st.sampled_from(["(request-target) host date digest", "date", ""]),
                st.text(max_size=40),
            ),
        )

        @EXAMPLES
        @given(
            st.one_of(
                st.binary(max_size=600),
                activities(self.where).map(lambda a: json.dumps(a).encode()),
            ),
            signature,
            st.one_of(st.text(max_size=40), st.just("Tue, 01 Dec 2026 00:00:00 GMT")),
            st.text(max_size=60),
        )
        def post(body, signature, date, digest):
            nonlocal tried
            tried += 1
            answer = self.client.post(
                "/federation/inbox",
                body,
                content_type="application/activity+json",
                headers={
                    "Signature": signature.replace("\n", " "),
                    "Date": date.replace("\n", " "),
                    "Digest": digest.replace("\n", " "),
                },
            )
            if answer.status_code not in meant:
                through.append(f"{answer.status_code} for {body[:200]!r}")

        post()
        self.hostile.record("federation", tried=tried, through=len(through))
        self.assertEqual(through, [], "\n".join(through[:10]))

    def test_webfinger_and_the_webmention_endpoint_answer_anything(self):
        tried, through = 0, []
        text = st.one_of(
            st.text(max_size=120),
            st.sampled_from([p.text for p in all_payloads()]),
            addresses(self.where),
            st.builds(lambda name: f"acct:{name}@testserver", st.text(max_size=30)),
        )

        @EXAMPLES
        @given(text, text, text)
        def ask(resource, source, target):
            nonlocal tried
            tried += 2
            answers = [
                self.client.get("/.well-known/webfinger", {"resource": resource}),
                self.client.post("/webmention/", {"source": source, "target": target}),
            ]
            for answer, meant in zip(
                answers, ({200, 400, 404}, {202, 400, 429}), strict=True
            ):
                if answer.status_code not in meant:
                    through.append(
                        f"{answer.request['PATH_INFO']} answered "
                        f"{answer.status_code} for {resource!r} {source!r} {target!r}"
                    )

        ask()
        self.hostile.record("federation", tried=tried, through=len(through))
        self.assertEqual(through, [], "\n".join(through[:10]))


# Pieces of microformats2 markup, to shuffle and break: what a hostile page
# claiming to reply to a post is made of.
MF2_PIECES = [
    '<div class="h-entry">',
    '<div class="h-entry h-cite">',
    "</div>",
    '<a class="u-in-reply-to" href="{target}">',
    '<a class="u-like-of" href="{target}">',
    '<a class="u-repost-of u-bookmark-of" href="{target}">',
    '<a href="{target}">',
    "</a>",
    '<div class="p-author h-card">',
    '<span class="p-name">',
    "</span>",
    '<img class="u-photo" src="javascript:alert(1)" alt="x">',
    '<img class="u-photo" src="/me.png">',
    '<div class="e-content">',
    '<time class="dt-published" datetime="{date}">',
    "</time>",
    '<link rel="webmention" href="">',
    "<![CDATA[",
    "<!--",
    "-->",
]


@EXAMPLES
@given(
    st.lists(
        st.one_of(
            st.sampled_from(MF2_PIECES),
            st.sampled_from([p.text for p in all_payloads()]),
            st.text(max_size=20),
        ),
        max_size=40,
    ),
    st.sampled_from(["2026-12-01T10:00:00Z", "yesterday", "-99999-01-01", "\x00", ""]),
)
def test_a_hostile_source_page_is_read_without_raising(pieces, date):
    target = ORIGIN + "/2026/11/tides/"
    html = "".join(pieces).replace("{target}", target).replace("{date}", date)
    found = pages.interpret(html, "https://far.example/reply", target)
    pages.links(html, "https://far.example/reply")
    assert found.kind in {"reply", "like", "repost", "mention"}, found
    assert isinstance(found.text, str) and isinstance(found.author_name, str)


class MalformedAddressTest(BaseTestCase):
    """Addresses urlsplit cannot even read (an unclosed "[" of an IPv6 host) are
    simply not addresses, wherever a stranger puts them."""

    BROKEN = "http://[::1/unclosed"

    def test_they_are_refused_not_failed_on(self):
        self.make_post("Tides", body="The sea.")
        documents.load_actor(ORIGIN)
        signed = {
            "Signature": f'keyId="{self.BROKEN}",signature="c2ln",headers="date"',
            "Date": "Tue, 01 Dec 2026 00:00:00 GMT",
        }
        answers = {
            "inbox, broken key": self.client.post(
                "/federation/inbox",
                json.dumps({"id": REMOTE + "/1", "type": "Like", "actor": REMOTE}),
                content_type="application/activity+json",
                headers=signed,
            ).status_code,
            "inbox, broken actor": self.client.post(
                "/federation/inbox",
                json.dumps({"id": REMOTE + "/2", "type": "Like", "actor": self.BROKEN}),
                content_type="application/activity+json",
                headers={
                    **signed,
                    "Signature": signed["Signature"].replace(
                        self.BROKEN, REMOTE + "#main-key"
                    ),
                },
            ).status_code,
            "webmention": self.client.post(
                "/webmention/", {"source": self.BROKEN, "target": ORIGIN + "/"}
            ).status_code,
        }
        self.assertEqual(
            answers,
            {"inbox, broken key": 403, "inbox, broken actor": 400, "webmention": 400},
        )
        note = {"type": "Note", "id": REMOTE + "/statuses/9", "inReplyTo": self.BROKEN}
        received = Incoming.objects.create(
            activity_id=REMOTE + "/activities/9",
            actor=REMOTE,
            kind="Create",
            document={
                "id": REMOTE + "/activities/9",
                "type": "Create",
                "actor": REMOTE,
                "object": note,
            },
        )
        inbox.handle(received)
        self.assertEqual(received.status, Incoming.Status.IGNORED)
