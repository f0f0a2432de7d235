from django import forms

from gazette.images.models import Image
from gazette.images.storing import add_image
from gazette.images.uploads import clean_upload

ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


class ImageUploadForm(forms.Form):
    """A picture with what readers are told about it; checked for what it is."""

    file = forms.FileField(
        label="Picture",
        help_text="JPEG, PNG, WebP or GIF.",
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    alt_text = forms.CharField(
        label="Alt text",
        max_length=300,
        required=False,
        help_text="What the picture shows, for people who cannot see it.",
    )
    caption = forms.CharField(max_length=500, required=False)
    credit = forms.CharField(max_length=200, required=False)

    def clean_file(self):
        return clean_upload(self.cleaned_data["file"])

    def save(self, *, uploaded_by=None) -> Image:
        data = self.cleaned_data
        return add_image(
            data["file"],
            alt_text=data["alt_text"],
            caption=data["caption"],
            credit=data["credit"],
            uploaded_by=uploaded_by,
        )


class ImageAdminForm(forms.ModelForm):
    """The admin's image form runs the same checks as the desk's uploads."""

    class Meta:
        model = Image
        fields = ["file", "alt_text", "caption", "credit", "uploaded_at"]

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file and "file" in self.changed_data:
            return clean_upload(file)
        return file
