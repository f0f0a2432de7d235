"""The blog's ActivityPub and discovery documents, and its inbox.

Each JSON document has an address of its own (under /federation/ and
/.well-known/), never shared with an HTML page, and none is kept by the page
cache: a reader asking for a page and a server asking for JSON can never be
given each other's answer.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from gazette import limits
from gazette.comments.models import Comment
from gazette.federation import documents, inbox, replies, signatures, tasks
from gazette.federation.models import Actor, Follower, Incoming
from gazette.lib.http import client_ip
from gazette.posts.models import Post
from gazette.site.models import SiteSettings

OUTBOX_SIZE = 20
INBOX_WINDOW = timedelta(minutes=10)
INBOX_PER_IP = 1000
MAX_BODY = 256 * 1024
JRD = "application/jrd+json"


def _json(document: dict, content_type: str = signatures.ACTIVITY_JSON) -> HttpResponse:
    return JsonResponse(document, content_type=content_type)


def _actor(request: HttpRequest) -> Actor:
    actor = documents.load_actor(request.build_absolute_uri("/").rstrip("/"))
    assert actor is not None  # made on the spot when missing
    return actor


def _author(request: HttpRequest, username: str) -> Actor | None:
    """The actor of the author called `username`, made on first request,
    while they may have one (`documents.has_account`)."""
    User = get_user_model()
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None or not documents.has_account(user):
        return None
    return documents.load_author_actor(user, _actor(request).origin)


def _author_or_404(request: HttpRequest, username: str) -> Actor:
    found = _author(request, username)
    if found is None:
        raise Http404("No such account.")
    return found


def _author_at(request: HttpRequest, resource: str, host: str) -> Actor | None:
    """The author account a WebFinger `resource` names: acct:name@host, or
    the address of their actor."""
    if resource.startswith("acct:"):
        username, _, at = resource.removeprefix("acct:").rpartition("@")
        return _author(request, username) if at == host else None
    named = documents.actor_named(resource)
    if named is None or named.user is None:
        return None
    return _author(request, named.user.get_username())


@never_cache
@require_GET
def webfinger(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    host = urlsplit(actor.origin).netloc
    resource = request.GET.get("resource", "")
    names = {f"acct:{documents.USERNAME}@{host}", documents.actor_id(actor)}
    found = actor if resource in names else _author_at(request, resource, host)
    if found is None:
        return HttpResponse("No such account.", status=404, content_type="text/plain")
    username = found.user.get_username() if found.user else documents.USERNAME
    answer = {
        "subject": f"acct:{username}@{host}",
        "aliases": [documents.actor_id(found)],
        "links": [
            {
                "rel": "self",
                "type": signatures.ACTIVITY_JSON,
                "href": documents.actor_id(found),
            },
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": actor.origin + "/",
            },
        ],
    }
    response = _json(answer, JRD)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@never_cache
@require_GET
def nodeinfo_links(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return _json(
        {
            "links": [
                {
                    "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                    "href": documents.url(actor, "nodeinfo"),
                }
            ]
        },
        "application/json",
    )


@never_cache
@require_GET
def nodeinfo(request: HttpRequest) -> HttpResponse:
    site = SiteSettings.load()
    profile = "http://nodeinfo.diaspora.software/ns/schema/2.1#"
    # The blog's account, and the authors' own once someone has looked them up.
    accounts = 1
    if site.author_accounts:
        accounts += Actor.objects.filter(user__isnull=False).count()
    return _json(
        {
            "version": "2.1",
            "software": {"name": "gazette", "version": "0.1.0"},
            "protocols": ["activitypub"],
            "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
            "openRegistrations": False,
            "usage": {
                "users": {
                    "total": accounts,
                    "activeMonth": accounts,
                    "activeHalfyear": accounts,
                },
                "localPosts": Post.objects.visible().count(),
            },
            "metadata": {"nodeName": site.title, "nodeDescription": site.description},
        },
        f'application/json; profile="{profile}"',
    )


@never_cache
@require_GET
def actor(request: HttpRequest) -> HttpResponse:
    return _json(documents.actor_document(_actor(request)))


@never_cache
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    posts = Post.objects.visible().prefetch_related("hashtags")[:OUTBOX_SIZE]
    return _json(
        {
            "@context": documents.CONTEXT[0],
            "id": documents.url(actor, "outbox"),
            "type": "OrderedCollection",
            "totalItems": Post.objects.visible().count(),
            "orderedItems": _creates(actor, posts),
        }
    )


def _creates(actor: Actor, posts) -> list[dict]:
    """Each post's Create, from its author's actor when it has one (one
    look-up per author)."""
    speakers: dict[int, Actor | None] = {}
    items = []
    for post in posts:
        if post.author_id not in speakers:
            speakers[post.author_id] = documents.speaker(post)
        author = speakers[post.author_id]
        article = documents.article(actor, post, author)
        create = documents.activity(
            author or actor, "Create", article, article["id"] + "#create"
        )
        create["published"] = article["published"]
        del create["@context"]
        items.append(create)
    return items


@never_cache
@require_GET
def followers(request: HttpRequest) -> HttpResponse:
    # Only the count: who follows the blog is theirs to tell, not the blog's.
    actor = _actor(request)
    return _json(
        {
            "@context": documents.CONTEXT[0],
            "id": documents.url(actor, "followers"),
            "type": "OrderedCollection",
            "totalItems": Follower.objects.filter(follows_blog=True).count(),
        }
    )


@never_cache
@require_GET
def following(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return _json(
        {
            "@context": documents.CONTEXT[0],
            "id": documents.url(actor, "following"),
            "type": "OrderedCollection",
            "totalItems": 0,
            "orderedItems": [],
        }
    )


@never_cache
@require_GET
def author(request: HttpRequest, username: str) -> HttpResponse:
    return _json(documents.actor_document(_author_or_404(request, username)))


@never_cache
@require_GET
def author_outbox(request: HttpRequest, username: str) -> HttpResponse:
    found = _author_or_404(request, username)
    posts = Post.objects.visible().filter(author=found.user)
    return _json(
        {
            "@context": documents.CONTEXT[0],
            "id": documents.url(found, "author_outbox", username),
            "type": "OrderedCollection",
            "totalItems": posts.count(),
            "orderedItems": _creates(
                _actor(request), posts.prefetch_related("hashtags")[:OUTBOX_SIZE]
            ),
        }
    )


@never_cache
@require_GET
def author_followers(request: HttpRequest, username: str) -> HttpResponse:
    # Only the count, as for the blog's.
    found = _author_or_404(request, username)
    return _json(
        {
            "@context": documents.CONTEXT[0],
            "id": documents.followers_url(found),
            "type": "OrderedCollection",
            "totalItems": found.author_followers.count(),
        }
    )


@never_cache
@require_GET
def post(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Post.objects.visible(), pk=pk)
    document = documents.article(_actor(request), found, documents.speaker(found))
    return _json({"@context": documents.CONTEXT, **document})


@never_cache
@require_GET
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment written here, as the Note it is sent as (see `replies`);
    servers fetch it to show what a reply answers."""
    comments = Comment.objects.select_related("post", "parent")
    found = get_object_or_404(comments, pk=pk)
    if not replies.is_shown(found):
        raise Http404("No such note.")
    document = replies.note(_actor(request), found)
    return _json({"@context": documents.CONTEXT, **document})


def _refuse(status: int, reason: str) -> HttpResponse:
    return HttpResponse(reason, status=status, content_type="text/plain")


@csrf_exempt  # other servers post here, signed; nobody's session acts here
@never_cache
@require_POST
def inbox_view(request: HttpRequest) -> HttpResponse:
    """The blog's inbox, shared and personal alike: check the request is
    signed by the actor it speaks for, answer 202 at once, and leave the rest
    to the worker."""
    # A busy instance delivers many activities, but not thousands a minute.
    ip = client_ip(request)
    if ip and limits.count(f"federation:inbox:{ip}", INBOX_WINDOW) > INBOX_PER_IP:
        response = _refuse(429, "Too many activities from this address.")
        response["Retry-After"] = str(int(INBOX_WINDOW.total_seconds()))
        return response
    length = request.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        return _refuse(413, "The activity is too large.")
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _refuse(413, "The activity is too large.")
    try:
        parameters = signatures.parse_signature(request.headers.get("Signature", ""))
    except signatures.Invalid as error:
        return _refuse(401, str(error))
    try:
        activity = inbox.parse(body)
    except inbox.Refused as error:
        return _refuse(400, str(error))
    for address in (activity["actor"], parameters["keyId"]):
        if inbox.is_blocked(address):
            return _refuse(403, "This instance is blocked.")
    try:
        signatures.check_signed_parts(
            request.method or "POST", request.headers, body, parameters
        )
        key = signatures.verify(
            request.method or "POST", request.get_full_path(), request.headers, body
        )
    except signatures.Invalid as error:
        return _refuse(401, str(error))
    if key.owner != activity["actor"]:
        return _refuse(401, "The activity's actor did not sign it.")
    site_url = request.build_absolute_uri("/").rstrip("/")
    documents.load_actor(site_url)
    try:
        with transaction.atomic():
            received = Incoming.objects.create(
                activity_id=activity["id"],
                actor=activity["actor"],
                kind=activity["type"][:40],
                document=activity,
            )
    except IntegrityError:
        # The same activity again (a retry, or a loop): handled once already.
        return HttpResponse(status=202)
    transaction.on_commit(lambda: tasks.handle_activity.enqueue(received.pk))
    return HttpResponse(status=202)
