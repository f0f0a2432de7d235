from django.conf import settings
from django.db import models


class ImportedAuthor(models.Model):
    """Which account an old blog's author became, so that importing again (or a
    newer backup) finds it rather than making another."""

    ref = models.CharField(max_length=200, unique=True)  # "blogger:profile-123"
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    def __str__(self) -> str:
        return self.ref
