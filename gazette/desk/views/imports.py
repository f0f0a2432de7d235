"""Moving a blog in from the desk: upload a Blogger or WordPress backup, read
what a dry run found, then start the import, which runs in the background."""

from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gazette.desk.access import admin_view
from gazette.importers import formats
from gazette.importers.models import ImportJob
from gazette.importers.records import ImportFailed
from gazette.importers.tasks import check_import, run_import


class ImportForm(forms.Form):
    backup = forms.FileField(
        label="Backup file",
        help_text="Blogger: Settings → Back up content. WordPress: Tools → Export.",
    )
    fetch_images = forms.BooleanField(
        label="Bring the pictures here too (download them into the library)",
        required=False,
    )
    teach_spam_filter = forms.BooleanField(
        label="Teach the spam filter from the old blog's approved and spam comments",
        required=False,
    )


@admin_view
def import_start(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["backup"]
        job = ImportJob(
            original_name=upload.name[:255],
            fetch_images=form.cleaned_data["fetch_images"],
            teach_spam_filter=form.cleaned_data["teach_spam_filter"],
            created_by=request.user if request.user.is_authenticated else None,
        )
        job.file.save(upload.name, upload, save=False)
        try:
            job.source = formats.detect(Path(job.file.path))
        except ImportFailed as error:
            job.file.delete(save=False)
            form.add_error("backup", f"{error}.")
        else:
            job.save()
            check_import.enqueue(job.pk)
            return redirect("desk:import_job", job.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "jobs": ImportJob.objects.all()[:10]}
    return render(request, "desk/import.html", context, status=status)


@admin_view
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    progress = cache.get(job.progress_key) if job.is_working else None
    context = {"job": job, "progress": progress}
    return render(request, "desk/import_job.html", context)


@admin_view
@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    if job.state != ImportJob.State.CHECKED:
        messages.error(request, "This import is not waiting to start.")
        return redirect("desk:import_job", job.pk)
    job.state = ImportJob.State.RUNNING
    job.save(update_fields=["state"])
    run_import.enqueue(job.pk)
    return redirect("desk:import_job", job.pk)
