"""Admin forms: media uploads checked by their bytes, caption files validated and converted."""

import json

from django.urls import reverse
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.images.widgets import AdminImageChooser
from wagtailmedia.forms import BaseMediaForm

from . import chapters, resumable
from .upload_strings import upload_strings
from .validation import (
    EMPTY_CAPTION_MESSAGE,
    EMPTY_FILE_MESSAGE,
    caption_to_vtt,
    max_upload_bytes,
    validate_media_upload,
)


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
            # The uploaders' words in the editor's language (the form is built per request).
            self.fields["file"].widget.attrs["data-i18n"] = json.dumps(upload_strings(), ensure_ascii=False)
            # Django's own ("The submitted file is empty.") says neither why nor what to do.
            self.fields["file"].error_messages["empty"] = EMPTY_FILE_MESSAGE
            if (
                self.instance.pk is None
                and self.instance.type in ("audio", "video")
                and resumable.is_supported()
            ):
                # admin-resumable-upload.js sends the file to the bucket in parts, resumably.
                attrs = self.fields["file"].widget.attrs
                attrs["data-resumable-url"] = reverse("media_library_admin:upload_start")
                attrs["data-media-type"] = self.instance.type
        if "chapters" in self.fields:
            self.fields["chapters"].widget.attrs.setdefault("rows", 6)

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

    def clean_chapters(self):
        """Each line "time title", in order, within the recording (once its length is known);
        an editor's own chapters are kept from then on, over the source's."""
        text = self.cleaned_data.get("chapters", "")
        found = chapters.parse(text, duration=None if "file" in self.changed_data else self.instance.duration)
        text = chapters.to_text(found)
        if "chapters" in self.changed_data:
            self.instance.chapters_from_source = False
        return text


class CaptionTrackForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            self.fields["file"].error_messages["empty"] = EMPTY_CAPTION_MESSAGE

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and "file" in self.changed_data:
            converted = caption_to_vtt(uploaded)
            # Told to the editor once saved (wagtail_hooks: after_create/edit_snippet).
            self.instance.converted_from = converted.converted_from
            return converted
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("language"):
            cleaned["language"] = cleaned["language"].strip()
        return cleaned
