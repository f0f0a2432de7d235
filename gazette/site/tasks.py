"""The site's own periodic work."""

from datetime import timedelta

from gazette.site.periodic import periodic
from gazette.site.workers import requeue_abandoned_tasks


@periodic(every=timedelta(minutes=1))
def requeue_tasks_of_dead_workers() -> None:
    requeue_abandoned_tasks()
