"""Taking a copy of the blog away from the desk: Gazette's own export as a zip,
or a WordPress export file (WXR). Both are written while the admin waits, into
temporary files that are gone once the download ends (or fails)."""

import tempfile
import zipfile
from pathlib import Path
from typing import IO

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from gazette.desk.access import admin_view
from gazette.importers.gazette.export import ExportFailed, export
from gazette.importers.wordpress.export import export_wxr
from gazette.site.middleware import site_of

FORMATS = {  # what the button sends: the file's ending and type
    "zip": (".zip", "application/zip"),
    "wxr": (".xml", "application/xml"),
}


@admin_view
@require_POST
def export_download(request: HttpRequest) -> HttpResponseBase:
    kind = request.POST.get("format", "")
    if kind not in FORMATS:
        return HttpResponse("Unknown export format.", status=400)
    ending, content_type = FORMATS[kind]
    # "ridge-notes-2026-03-01": the blog's title and the day, in its time zone.
    name = f"{slugify(site_of(request).title) or 'gazette'}-{timezone.localdate()}"
    try:
        if kind == "zip":
            file = _zipped_export(name)
        else:
            file = _wxr_export(request.build_absolute_uri("/"))
    except ExportFailed as error:
        messages.error(request, f"The export failed: {error}")
        return redirect("desk:import")
    response = FileResponse(
        file, as_attachment=True, filename=name + ending, content_type=content_type
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def _zipped_export(name: str) -> IO[bytes]:
    """Gazette's export in a zip whose one folder is `name`; the folder it was
    written to goes at once, the zip when the response closes it."""
    archive = tempfile.TemporaryFile()
    try:
        with tempfile.TemporaryDirectory() as temp:
            folder = Path(temp) / name
            export(folder)
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        inside = path.relative_to(folder).as_posix()
                        zipped.write(path, f"{name}/{inside}")
    except BaseException:
        archive.close()
        raise
    archive.seek(0)
    return archive


def _wxr_export(site_url: str) -> IO[bytes]:
    file = tempfile.TemporaryFile()
    try:
        export_wxr(file, site_url=site_url)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return file
