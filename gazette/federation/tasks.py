"""Federation work done by the task worker, never in a request: fetching actor
documents and delivering activities can each take seconds."""

from datetime import datetime

from django.tasks import default_task_backend, task

from gazette.federation.models import Delivery, Incoming


@task()
def handle_activity(incoming_id: int) -> None:
    from gazette.federation import inbox

    received = Incoming.objects.filter(
        pk=incoming_id, status=Incoming.Status.PENDING
    ).first()
    if received is not None:
        inbox.handle(received)


@task()
def deliver(delivery_id: int) -> None:
    from gazette.federation import delivery

    row = Delivery.objects.filter(pk=delivery_id).first()
    if row is not None:
        delivery.attempt(row)


@task()
def federate_post(post_id: int) -> None:
    from gazette.federation import delivery, replies

    delivery.federate_post(post_id)
    # The blog's comments sent as notes under it go and come back with it.
    replies.follow_post(post_id)


@task()
def federate_comment(comment_id: int) -> None:
    from gazette.federation import replies

    replies.federate_comment(comment_id)


@task()
def retract_comment(comment_id: int, updates: int, actors: list[str]) -> None:
    from gazette.federation import replies

    replies.retract_comment(comment_id, updates, actors)


@task()
def answer_follow(followed_id: int, follow: dict, name: str, accepted: bool) -> None:
    from gazette.federation import follows

    follows.answer(followed_id, follow, name, accepted)


def retry_later(delivery_id: int, when: datetime) -> None:
    """Try a delivery again at `when`. A backend that cannot wait (the tests'
    immediate one) leaves the row pending for the next attempt instead."""
    if default_task_backend.supports_defer:
        deliver.using(run_after=when).enqueue(delivery_id)


def federate_later(post_id: int, when: datetime | None) -> None:
    """Tell followers of a scheduled post once its time has come."""
    if when is not None and default_task_backend.supports_defer:
        federate_post.using(run_after=when).enqueue(post_id)
