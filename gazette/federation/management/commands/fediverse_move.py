"""Move the blog's fediverse account to a new address, as Mastodon moves one.

Two steps, on two blogs, in this order:

1. On the new blog, `--alias <old actor>` names the old blog's actor in the new
   actor's `alsoKnownAs`: a server accepts a Move only to an account that says
   it was the old one.
2. On the old blog, `--to <new actor>` checks that the new actor says so, sets
   `movedTo` on the old actor and sends `Move` to every follower's server.
   Each server then makes its accounts that followed the old blog follow the
   new one, and unfollow the old one.

The old actor keeps answering afterwards, since servers fetch it to check the
move, and its inbox works as before: an Undo of a follow still ends it, and a
new Follow is still accepted and stored, as nothing stops a server sending
one; the follower's own server moves it over to the new blog, as it did the
others. Delivery ids are stable, so running `--to` again sends the Move only
to servers that were not sent it yet.
"""

import hashlib

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gazette.federation import delivery, documents, signatures
from gazette.federation.models import Actor
from gazette.lib.links import web_address


class Command(BaseCommand):
    help = (
        "Move the blog's fediverse account: --alias OLD on the new blog first, "
        "then --to NEW on the old blog, which tells followers' servers to move."
    )

    def add_arguments(self, parser):
        step = parser.add_mutually_exclusive_group(required=True)
        step.add_argument(
            "--alias",
            metavar="OLD_ACTOR",
            help="On the new blog: the old blog's actor address, to accept its move.",
        )
        step.add_argument(
            "--to",
            metavar="NEW_ACTOR",
            help="On the old blog: the new blog's actor address, to move followers to.",
        )

    def handle(self, *args, **options):
        actor = documents.load_actor()
        if actor is None:
            raise CommandError(
                "This blog has no fediverse account yet: it is made the first time "
                "its actor is asked for (open /federation/actor on the blog's "
                "address, or look the blog up from a Mastodon account), then run "
                "this again."
            )
        if options["alias"]:
            self.add_alias(actor, _actor_address(options["alias"], actor))
        else:
            self.move_to(actor, _actor_address(options["to"], actor))

    def add_alias(self, actor: Actor, old: str) -> None:
        if old in actor.also_known_as:
            self.stdout.write(f"{documents.actor_id(actor)} already names {old}.")
            return
        actor.also_known_as = [*actor.also_known_as, old]
        actor.save(update_fields=["also_known_as"])
        self.stdout.write(
            f"{documents.actor_id(actor)} now names {old} in alsoKnownAs: run "
            f"`gazette fediverse_move --to {documents.actor_id(actor)}` on the old "
            "blog to move its followers here."
        )

    def move_to(self, actor: Actor, new: str) -> None:
        ours = documents.actor_id(actor)
        try:
            document = signatures.fetch_document(new)
        except signatures.Invalid as error:
            raise CommandError(f"Nothing changed: {error}") from error
        if document.get("id") != new:
            raise CommandError(
                f"Nothing changed: {new} answers with the actor "
                f"{document.get('id')!r}, not itself; give the actor's own address."
            )
        if ours not in _addresses(document.get("alsoKnownAs")):
            raise CommandError(
                f"Nothing changed: {new} does not name {ours} in its alsoKnownAs, so "
                "followers' servers would refuse the move. Run `gazette "
                f"fediverse_move --alias {ours}` on the new blog first."
            )
        # A Move per target, the same each run: sending it again reaches only
        # the servers that were not sent it yet.
        digest = hashlib.sha256(new.encode()).hexdigest()[:16]
        move = documents.activity(actor, "Move", ours, f"{ours}#move-{digest}")
        move["target"] = new
        inboxes = delivery.follower_inboxes()
        with transaction.atomic():
            if actor.moved_to != new:
                actor.moved_to = new
                actor.save(update_fields=["moved_to"])
            queued = delivery.send(move, inboxes)
        self.stdout.write(
            f"{ours} has moved to {new}. Move queued for {len(queued)} of "
            f"{len(inboxes)} follower server(s) ({len(inboxes) - len(queued)} "
            "were sent it before); the worker delivers it."
        )


def _actor_address(address: str, actor: Actor) -> str:
    """`address` if it can be another fediverse actor's address."""
    if web_address(address) != address:
        raise CommandError(f"{address!r} is not an http(s) address.")
    if address == documents.actor_id(actor):
        raise CommandError(f"{address} is this blog's own actor.")
    return address


def _addresses(value) -> list[str]:
    """The ids in an `alsoKnownAs`: one address, or a list of addresses or of
    objects with ids, as JSON-LD allows."""
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("id")
        if isinstance(item, str):
            found.append(item)
    return found
