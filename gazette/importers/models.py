from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportedAuthor(models.Model):
    """Which account an old blog's author became, so that importing again (or a
    newer backup) finds it rather than making another."""

    ref = models.CharField(max_length=200, unique=True)  # "blogger:profile-123"
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    def __str__(self) -> str:
        return self.ref


def _backups():
    """Uploaded backups stay out of the public media folder."""
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=settings.GAZETTE_IMPORT_DIR / "uploads")


class ImportJob(models.Model):
    """An import started from the desk: checked first (a dry run), then run in
    the background by the task worker."""

    class State(models.TextChoices):
        CHECKING = "checking", "Reading the file"
        CHECKED = "checked", "Ready to import"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Refused"

    file = models.FileField(upload_to="%Y%m%d%H%M%S/", storage=_backups)
    original_name = models.CharField(max_length=255)
    source = models.CharField(max_length=12)  # "blogger" or "wordpress"
    fetch_images = models.BooleanField(default=False)
    teach_spam_filter = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State, default=State.CHECKING)
    preview = models.TextField(blank=True)  # the dry run's report
    report = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"

    @property
    def is_working(self) -> bool:
        return self.state in (self.State.CHECKING, self.State.RUNNING)

    @property
    def progress_key(self) -> str:
        return f"gazette:import-progress:{self.pk}"
