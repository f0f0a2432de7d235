"""Reading the fields of documents other servers send, which may hold anything:
an id given as a string or as an object, an "address" that is no web address,
a name that is a number, no inbox at all. Each function answers "" when the
field is not what it should be, so callers need one check only."""

from urllib.parse import urlsplit

MAX_URL = 500  # the models' URLFields


def id_of(value) -> str:
    """The id `value` names: a string itself, or an object's "id"."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def address(value) -> str:
    """`value` when it is an http or https address of a sensible length."""
    if (
        isinstance(value, str)
        and len(value) <= MAX_URL
        and urlsplit(value).scheme in ("http", "https")
    ):
        return value
    return ""


def inboxes(actor: dict) -> tuple[str, str]:
    """An actor document's own inbox and its server's shared one; ("", "")
    when it names none that can be delivered to."""
    inbox = address(actor.get("inbox"))
    endpoints = actor.get("endpoints")
    shared = endpoints.get("sharedInbox") if isinstance(endpoints, dict) else None
    if not inbox or (shared and not address(shared)):
        return "", ""
    return inbox, address(shared)


def display_name(actor: dict, actor_id: str) -> str:
    """What to call an actor: its name, its user name, else its host."""
    for key in ("name", "preferredUsername"):
        name = actor.get(key)
        if isinstance(name, str) and name.strip():
            return name.strip()[:200]
    return urlsplit(actor_id).hostname or ""
