"""The limits' clean-up: rows of counters whose window ended and of one-use
tokens past their keep, deleted by the task worker."""

from datetime import timedelta

from django.utils import timezone

from gazette.limits.models import Tally
from gazette.site.periodic import periodic


@periodic(every=timedelta(hours=1))
def delete_expired_tallies() -> int:
    """Delete expired tallies and return how many went. Only rows nobody reads
    again go: a counter whose window has ended, a token past its keep."""
    deleted, _ = Tally.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
