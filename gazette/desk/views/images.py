"""The image library: upload (from the editor too, as JSON) and browse."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from gazette.desk.access import desk_view, wants_json
from gazette.images.forms import ImageUploadForm
from gazette.images.models import Image


@desk_view
def image_library(request: HttpRequest) -> HttpResponse:
    form = ImageUploadForm()
    if request.method == "POST":
        form = ImageUploadForm(request.POST, request.FILES)
        if form.is_valid():
            image = form.save(uploaded_by=request.user)
            if wants_json(request):
                data = {"id": image.pk, "url": image.file.url}
                return JsonResponse(data | {"markdown": image.markdown()}, status=201)
            messages.success(request, "Uploaded. Copy its Markdown into a post.")
            return redirect("desk:images")
        if wants_json(request):
            errors = {name: list(errs) for name, errs in form.errors.items()}
            return JsonResponse({"errors": errors}, status=400)
    images = Image.objects.order_by("-uploaded_at", "-id")
    page = Paginator(images, 24).get_page(request.GET.get("page"))
    status = 400 if form.is_bound else 200
    context = {"form": form, "page_obj": page}
    return render(request, "desk/images.html", context, status=status)
