"""Admin forms: media uploads checked by their bytes, caption files validated and converted."""

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.images.widgets import AdminImageChooser
from wagtailmedia.forms import BaseMediaForm

from .validation import caption_to_vtt, max_upload_bytes, validate_media_upload


class MediaForm(BaseMediaForm):
    """wagtailmedia's form (``WAGTAILMEDIA["MEDIA_FORM_BASE"]``) plus content sniffing and a size limit."""

    class Meta(BaseMediaForm.Meta):
        widgets = {**BaseMediaForm.Meta.widgets, "poster": AdminImageChooser}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            # Read by admin-upload.js: it refuses a larger file before sending it, and shows
            # the upload's progress (the server still checks: a browser may skip the script).
            self.fields["file"].widget.attrs["data-max-upload-bytes"] = str(max_upload_bytes())

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and "file" in self.changed_data:
            if self.instance.type in ("audio", "video"):
                validate_media_upload(uploaded, self.instance.type)
            else:
                # wagtailmedia's generic "media" upload: the bytes say which it is.
                mime = validate_media_upload(uploaded, "any")
                self.instance.type = "audio" if mime.startswith("audio/") else "video"
        return uploaded


class CaptionTrackForm(WagtailAdminModelForm):
    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and "file" in self.changed_data:
            return caption_to_vtt(uploaded)
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("language"):
            cleaned["language"] = cleaned["language"].strip()
        return cleaned
