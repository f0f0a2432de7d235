"""The database's copy of the limits: one row per counter or one-use token."""

from django.db import models


class Tally(models.Model):
    """How many times `key` was hit before `expires_at`.

    A rate limit's key names its fixed window ("count:comment-rate:ip:...@600:
    2891234"), a one-use token's key names the token ("once:comment-form:...").
    Written only through `gazette.limits.database` (one atomic statement);
    expired rows are deleted by `gazette.limits.tasks.delete_expired_tallies`.
    """

    key = models.CharField(max_length=200, unique=True)
    hit_count = models.PositiveIntegerField(default=1)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name_plural = "tallies"

    def __str__(self) -> str:
        return f"{self.key}: {self.hit_count}"
