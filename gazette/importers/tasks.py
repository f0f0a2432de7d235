"""The desk's imports, run by the task worker (`gazette db_worker`): a check
(a dry run whose report the admin reads first), then the import itself.

Progress goes to the cache, where the desk reads it: the import's own rows are
invisible to other connections until its one transaction commits.
"""

from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.tasks import task
from django.utils import timezone

from gazette.importers import formats
from gazette.importers.fetch import fetch_all
from gazette.importers.load import load
from gazette.importers.models import ImportJob
from gazette.importers.records import ImportFailed


@task()
def check_import(job_id: int) -> None:
    job = ImportJob.objects.get(pk=job_id)
    try:
        backup = formats.parse(Path(job.file.path), job.source)
        report = load(backup, dry_run=True)
    except ImportFailed as error:
        _finish(job, ImportJob.State.FAILED, error=f"Nothing was imported. {error}")
        return
    job.preview = "\n".join(report.lines())
    _finish(job, ImportJob.State.CHECKED, done=False)


@task()
def run_import(job_id: int) -> None:
    job = ImportJob.objects.get(pk=job_id)
    try:
        backup = formats.parse(Path(job.file.path), job.source)
        fetched = None
        if job.fetch_images:
            pictures = list({i.ref: i for i in backup.images}.values())
            cache.set(job.progress_key, {"what": "pictures", "total": len(pictures)})
            fetched = fetch_all(pictures, settings.GAZETTE_IMPORT_DIR / "pictures")

        def progress(done: int, total: int) -> None:
            cache.set(job.progress_key, {"done": done, "total": total}, 3600)

        report = load(
            backup,
            progress=progress,
            fetched=fetched,
            teach_spam_filter=job.teach_spam_filter,
        )
    except ImportFailed as error:
        _finish(job, ImportJob.State.FAILED, error=f"Nothing was imported. {error}")
        return
    job.report = "\n".join(report.lines())
    _finish(job, ImportJob.State.DONE)


def _finish(job: ImportJob, state: str, *, error: str = "", done: bool = True) -> None:
    job.state = state
    job.error = error
    if done:
        job.finished_at = timezone.now()
    job.save()
    cache.delete(job.progress_key)
