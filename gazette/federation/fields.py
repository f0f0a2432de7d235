"""Reading the fields of documents other servers send, which may hold anything:
an id given as a string or as an object, an "address" that is no web address,
a name that is a number, no inbox at all. Each function answers "" when the
field is not what it should be, so callers need one check only."""

from urllib.parse import urlsplit

from gazette.lib.links import web_address

MAX_URL = 500  # the models' URLFields


def id_of(value) -> str:
    """The id `value` names: a string itself, or an object's "id"."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def same_origin(a: str, b: str) -> bool:
    """Whether `a` and `b` are web addresses on the same scheme and host (and
    port); never for what is not a web address."""
    if not (web_address(a) and web_address(b)):
        return False
    first, second = urlsplit(a.strip()), urlsplit(b.strip())
    return (first.scheme, first.netloc.lower()) == (
        second.scheme,
        second.netloc.lower(),
    )


def inboxes(actor: dict) -> tuple[str, str]:
    """An actor document's own inbox and its server's shared one; ("", "")
    when it names none that can be delivered to."""
    inbox = web_address(actor.get("inbox"))
    endpoints = actor.get("endpoints")
    shared = endpoints.get("sharedInbox") if isinstance(endpoints, dict) else None
    if not inbox or (shared and not web_address(shared)):
        return "", ""
    return inbox, web_address(shared)


def display_name(actor: dict, actor_id: str) -> str:
    """What to call an actor: its name, its user name, else its host."""
    for key in ("name", "preferredUsername"):
        name = actor.get(key)
        if isinstance(name, str) and name.strip():
            return name.strip()[:200]
    return urlsplit(actor_id).hostname or ""
