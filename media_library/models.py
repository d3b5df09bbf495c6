"""The media item (a wagtailmedia model), its renditions, captions, and PDF page counts."""

import posixpath
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from wagtail.documents import get_document_model_string
from wagtail.search import index
from wagtailmedia.models import AbstractMedia

from . import editor_messages
from .pdf import is_pdf

RENDITIONS_ROOT = "media_renditions"


class Media(AbstractMedia):
    class Status(models.TextChoices):
        # Saved, not yet handed to the broker (it may be down): the sweep enqueues it.
        PENDING = "pending", _("Pending")
        # Handed to the broker, waiting for a media worker.
        QUEUED = "queued", _("Queued")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    # Redeclared with their own reverse names: wagtailmedia's own (unused) Media model
    # is installed too, and two models called Media would clash on User and Tag.
    uploaded_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by user"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="uploaded_media",
    )
    tags = TaggableManager(help_text=None, blank=True, verbose_name=_("tags"), related_name="library_media")

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, editable=False)
    progress = models.PositiveSmallIntegerField(default=0, editable=False, help_text=_("Percent encoded"))
    error = models.TextField(blank=True, editable=False, help_text=_("Why the last transcode failed"))
    # The same reason as a code and its parameters (media_library.editor_messages), worded in
    # the reader's language when shown (``error_message``); empty for a reason stored before.
    error_code = models.CharField(max_length=32, blank=True, editable=False)
    error_params = models.JSONField(default=dict, blank=True, editable=False)
    # The original the status refers to: a replaced file no longer matches it, which is
    # how a replacement is told apart from an edit of the title.
    source_file = models.CharField(max_length=255, blank=True, editable=False)
    # Set whenever the pipeline touches the item (progress included); the stuck sweep
    # compares against it, so a long but live encode is never mistaken for a stuck one.
    status_changed_at = models.DateTimeField(auto_now_add=True, editable=False)
    # Written every few seconds by the worker running the encode; a processing item whose
    # heartbeat stopped has nobody working on it, so the sweep queues it again.
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The storage prefix of the live renditions ("" until the first encode finishes).
    version = models.CharField(max_length=64, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    video_codec = models.CharField(max_length=32, blank=True, editable=False)
    audio_codec = models.CharField(max_length=32, blank=True, editable=False)
    bitrate = models.PositiveIntegerField(null=True, blank=True, editable=False, help_text="bits/s")

    poster = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown before the video plays. Taken from a frame unless you choose one."),
        verbose_name=_("poster"),
    )
    # An editor's own poster survives a re-transcode; a generated one is replaced.
    poster_is_generated = models.BooleanField(default=False, editable=False)
    is_public = models.BooleanField(
        default=False,
        verbose_name=_("public"),
        help_text=_("Anyone may watch it, signed in or not (for example a course trailer)."),
    )

    # Chapters, one a line ("0:00 Introduction"): served as a WebVTT chapters track
    # (media_library/chapters.py). Filled from the source's own chapters by the worker
    # unless an editor wrote them (then ``chapters_from_source`` is False and they stay).
    chapters = models.TextField(
        blank=True,
        verbose_name=_("chapters"),
        help_text=_(
            "One chapter a line: its start time and title, such as “0:00 Introduction” and "
            "“12:30 Examples”. Filled in from the file's own chapters when it has some."
        ),
    )
    chapters_from_source = models.BooleanField(default=False, editable=False)
    # Every audio track the source holds, as the worker found them: [{"index", "language",
    # "name", "default"}]; with several, each is an HLS alternate audio rendition.
    audio_tracks = models.JSONField(default=list, blank=True, editable=False)
    # The source was interlaced and its renditions were deinterlaced (bwdif).
    interlaced = models.BooleanField(default=False, editable=False)

    admin_form_fields = ("title", "file", "collection", "poster", "is_public", "tags", "chapters")

    search_fields = AbstractMedia.search_fields + [index.FilterField("status")]

    class Meta(AbstractMedia.Meta):
        verbose_name = _("media")
        verbose_name_plural = _("media items")

    def clean(self):
        if self.file:
            return super().clean()
        # No file: the upload form refused it and said why. wagtailmedia's extension check
        # would add a second, wrong error ("File extension “” is not allowed").
        super(AbstractMedia, self).clean()
        self.duration = self.duration or 0
        return None

    @property
    def error_message(self):
        """Why the last transcode failed, in the active language (``error`` for an old row)."""
        if self.error_code:
            return editor_messages.render(self.error_code, self.error_params, fallback=self.error)
        return self.error

    def version_prefix(self, version=None):
        return posixpath.join(RENDITIONS_ROOT, str(self.pk), version or self.version)

    def media_root_prefix(self):
        return posixpath.join(RENDITIONS_ROOT, str(self.pk))

    def live_renditions(self):
        return self.renditions.filter(version=self.version)


class Rendition(models.Model):
    class Kind(models.TextChoices):
        MP4 = "mp4", _("MP4 (H.264/AAC)")
        AUDIO = "audio", _("AAC in MP4")
        HLS = "hls", _("HLS master playlist")
        # Seek previews: a WebVTT map whose cues point at cells of JPEG sprites (``#xywh=``).
        THUMBNAILS = "thumbs", _("Seek-preview thumbnails (WebVTT and sprites)")

    media = models.ForeignKey(Media, on_delete=models.CASCADE, related_name="renditions")
    version = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    label = models.CharField(max_length=32, help_text=_("360p, 720p, audio or master"))
    # Storage name, relative to the version prefix (e.g. "360p.mp4", "hls/master.m3u8").
    path = models.CharField(max_length=255)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    bitrate = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["media", "kind", "height"]
        constraints = [
            models.UniqueConstraint(fields=["media", "version", "path"], name="unique_rendition_path")
        ]

    def __str__(self):
        return f"{self.media} {self.label} ({self.get_kind_display()})"

    @property
    def storage_name(self):
        return posixpath.join(self.media.version_prefix(self.version), self.path)


def caption_upload_to(instance, filename):
    return posixpath.join("media_captions", str(instance.media_id), filename)


class CaptionTrack(models.Model):
    """A WebVTT caption or subtitle track (SRT uploads are converted on the way in)."""

    class Kind(models.TextChoices):
        CAPTIONS = "captions", _("Captions")
        SUBTITLES = "subtitles", _("Subtitles")

    media = models.ForeignKey(
        Media, on_delete=models.CASCADE, related_name="captions", verbose_name=_("media")
    )
    language = models.CharField(
        max_length=16, help_text=_("BCP 47 code, e.g. en, fr, pt-BR"), verbose_name=_("language")
    )
    label = models.CharField(
        max_length=64, help_text=_("Shown in the player's caption menu"), verbose_name=_("label")
    )
    kind = models.CharField(
        max_length=16, choices=Kind.choices, default=Kind.CAPTIONS, verbose_name=_("kind")
    )
    file = models.FileField(
        upload_to=caption_upload_to, help_text=_("WebVTT (.vtt) or SubRip (.srt)"), verbose_name=_("file")
    )
    is_default = models.BooleanField(default=False, verbose_name=_("is default"))

    class Meta:
        ordering = ["media", "-is_default", "label"]
        verbose_name = _("caption track")
        verbose_name_plural = _("caption tracks")
        constraints = [
            models.UniqueConstraint(fields=["media", "language", "kind"], name="unique_caption_language")
        ]

    def __str__(self):
        return f"{self.label} ({self.language}) for {self.media}"


DOCUMENT_THUMBNAILS_ROOT = "document_thumbnails"


class DocumentInfo(models.Model):
    """Facts about a Wagtail document found by reading it: a PDF's page count and first-page thumbnail.

    A side table rather than a custom document model: swapping WAGTAILDOCS_DOCUMENT_MODEL
    must happen before wagtaildocs' first migration and changes every app that references
    documents, while this needs nothing of anyone.
    """

    document = models.OneToOneField(
        get_document_model_string(),
        on_delete=models.CASCADE,
        related_name="info",
    )
    file_name = models.CharField(max_length=255, help_text=_("The file the facts were read from"))
    page_count = models.PositiveIntegerField(null=True, blank=True)
    # Written by the worker through the default storage (never through MEDIA_URL: served by
    # a view that applies the document's own access policy).
    thumbnail = models.FileField(max_length=255, blank=True)
    thumbnail_width = models.PositiveIntegerField(null=True, blank=True)
    thumbnail_height = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The same reason as a code and its parameters (media_library.editor_messages), worded in
    # the reader's language when shown (``error_message``); empty for a reason stored before.
    error_code = models.CharField(max_length=32, blank=True)
    error_params = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return f"{self.document}: {self.page_count} pages"

    @property
    def error_message(self):
        """Why the worker could not read the file, in the active language (``error`` for an old row)."""
        if self.error_code:
            return editor_messages.render(self.error_code, self.error_params, fallback=self.error)
        return self.error

    def is_current_for(self, document):
        """Whether this row holds the facts of ``document``'s current file.

        A PDF's facts are complete with a thumbnail or a recorded error: a row from before
        thumbnails existed is read again.
        """
        if self.file_name != document.file.name:
            return False
        return not is_pdf(document) or bool(self.thumbnail) or bool(self.error)


class ResumableUpload(models.Model):
    """A media upload going straight to the bucket in parts (``resumable``), until it becomes an item.

    The parts themselves are in the bucket (S3's multipart upload ``upload_id``), never here.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=255)
    media_type = models.CharField(max_length=8)
    collection = models.ForeignKey("wagtailcore.Collection", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    part_size = models.PositiveBigIntegerField()
    key = models.CharField(max_length=255, help_text=_("Storage name the parts are assembled into"))
    upload_id = models.CharField(max_length=1024, help_text=_("S3's multipart upload id"))
    created_at = models.DateTimeField(auto_now_add=True)
    media = models.ForeignKey(Media, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return f"{self.filename} ({self.size} bytes) by {self.user}"
