"""Content packages (SCORM 1.2/2004 zips and H5P files), and what each student did in one.

A ``ContentPackage`` is a collection member with its own permissions (add, change, delete,
choose), as images, documents and media are. The uploaded zip is kept as the original; the
worker unpacks it under ``packages/<id>/<version>/`` (``version_prefix``), a fresh prefix
for every upload that goes live in one transaction, as media renditions do.

An ``Attempt`` holds one student's runtime data for one package in one lesson: the SCORM
data model (``cmi``, as the runtime commits it), or the H5P state, and the facts Ringlet
reads from it (completion, success, scaled score, time). Its interactions are copied to
``Interaction`` rows for the instructor's report.
"""

import posixpath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import CollectionMember
from wagtail.search import index

from . import refusals

PACKAGES_ROOT = "packages"


class ContentPackage(CollectionMember, index.Indexed, models.Model):
    class Kind(models.TextChoices):
        SCORM_12 = "scorm12", _("SCORM 1.2")
        SCORM_2004 = "scorm2004", _("SCORM 2004")
        H5P = "h5p", _("H5P")

    class Status(models.TextChoices):
        # Saved, not yet handed to a worker (the broker may be down): the sweep enqueues it.
        PENDING = "pending", _("Waiting to be unpacked")
        PROCESSING = "processing", _("Unpacking")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Refused")

    title = models.CharField(max_length=255, verbose_name=_("title"))
    file = models.FileField(
        upload_to="packages/originals/",
        max_length=255,
        verbose_name=_("file"),
        help_text=_("A SCORM 1.2 or 2004 package (.zip) or an H5P file (.h5p) with its libraries."),
    )
    file_size = models.PositiveBigIntegerField(null=True, editable=False)
    uploaded_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="uploaded_packages",
        verbose_name=_("uploaded by user"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, editable=False)
    error = models.TextField(blank=True, editable=False, help_text=_("Why the package was refused"))
    # The same refusal as a code and its parameters (packages.refusals), worded in the reader's
    # language when shown (``error_message``); empty for a refusal stored before.
    error_code = models.CharField(max_length=32, blank=True, editable=False)
    error_params = models.JSONField(default=dict, blank=True, editable=False)
    # The original the status refers to: a replaced file no longer matches it.
    source_file = models.CharField(max_length=255, blank=True, editable=False)
    status_changed_at = models.DateTimeField(auto_now_add=True, editable=False)
    # The storage prefix of the live unpacked files ("" until the first unpack succeeds).
    version = models.CharField(max_length=64, blank=True, editable=False)

    kind = models.CharField(max_length=16, choices=Kind.choices, blank=True, editable=False)
    standard_version = models.CharField(max_length=64, blank=True, editable=False)
    launch_path = models.CharField(max_length=1000, blank=True, editable=False)
    mastery_score = models.FloatField(
        null=True, blank=True, editable=False, help_text=_("The passing score the package sets, scaled 0..1")
    )
    details = models.JSONField(default=dict, blank=True, editable=False)
    file_count = models.PositiveIntegerField(default=0, editable=False)
    unpacked_size = models.PositiveBigIntegerField(default=0, editable=False)

    admin_form_fields = ("title", "file", "collection")

    search_fields = [
        index.SearchField("title", boost=10),
        index.AutocompleteField("title"),
        index.FilterField("collection"),
        index.FilterField("status"),
        index.FilterField("kind"),
    ]

    class Meta:
        verbose_name = _("content package")
        verbose_name_plural = _("content packages")
        ordering = ["-created_at", "-pk"]
        permissions = [("choose_contentpackage", "Can choose content package")]

    def __str__(self):
        return self.title

    @property
    def error_message(self):
        """Why the package was refused, in the active language (``error`` for an old row)."""
        if self.error_code:
            return refusals.render(self.error_code, self.error_params, fallback=self.error)
        return self.error

    @property
    def is_ready(self):
        return self.status == self.Status.READY and bool(self.version)

    @property
    def is_scorm(self):
        return self.kind in (self.Kind.SCORM_12, self.Kind.SCORM_2004)

    def root_prefix(self):
        return posixpath.join(PACKAGES_ROOT, str(self.pk))

    def version_prefix(self, version=None):
        return posixpath.join(self.root_prefix(), version or self.version)


class Attempt(models.Model):
    """One student's attempt at a package in one lesson: the runtime data and what it says."""

    class Completion(models.TextChoices):
        COMPLETED = "completed", _("Completed")
        INCOMPLETE = "incomplete", _("Incomplete")
        NOT_ATTEMPTED = "not attempted", _("Not attempted")
        UNKNOWN = "unknown", _("Unknown")

    class Success(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Unknown")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="package_attempts"
    )
    package = models.ForeignKey(ContentPackage, on_delete=models.CASCADE, related_name="attempts")
    lesson = models.ForeignKey(
        "lessons.LessonPage", on_delete=models.CASCADE, related_name="package_attempts"
    )
    # The package block's id in the lesson body.
    block_id = models.CharField(max_length=64)
    number = models.PositiveIntegerField(default=1)
    # The package version the attempt started on (a replaced package starts new attempts).
    version = models.CharField(max_length=64, blank=True)

    cmi = models.JSONField(
        default=dict, blank=True, help_text=_("The SCORM data model, or H5P's saved state")
    )
    completion_status = models.CharField(
        max_length=16, choices=Completion.choices, default=Completion.NOT_ATTEMPTED
    )
    success_status = models.CharField(max_length=16, choices=Success.choices, default=Success.UNKNOWN)
    score_scaled = models.FloatField(null=True, blank=True, help_text=_("-1..1 (SCORM 2004), 0..1 otherwise"))
    total_seconds = models.FloatField(default=0, help_text=_("Time spent in the package, all sessions"))
    # Sessions end with Terminate/LMSFinish; a session ended with exit "suspend" resumes.
    sessions = models.PositiveIntegerField(default=0)
    suspended = models.BooleanField(default=False)
    commit_sequence = models.PositiveIntegerField(default=0)

    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set when the attempt is over (ended without suspending once completed): the next launch starts anew.
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "package", "lesson", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "package", "lesson", "block_id", "number"], name="unique_package_attempt"
            )
        ]
        indexes = [models.Index(fields=["package", "completion_status"])]

    def __str__(self):
        return f"{self.user} on {self.package_id}, attempt {self.number}"

    @property
    def is_complete(self):
        """Completed and not failed: what completes the lesson."""
        return (
            self.completion_status == self.Completion.COMPLETED and self.success_status != self.Success.FAILED
        )


class Interaction(models.Model):
    """One interaction (question) of an attempt, as ``cmi.interactions`` last recorded it."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="interactions")
    index = models.PositiveIntegerField()
    interaction_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=32, blank=True)
    description = models.TextField(blank=True)
    learner_response = models.TextField(blank=True)
    correct_response = models.TextField(blank=True)
    # correct, incorrect (1.2: wrong), unanticipated, neutral, or a number.
    result = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["attempt", "index"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "index"], name="unique_attempt_interaction")
        ]
        indexes = [models.Index(fields=["interaction_id"])]

    def __str__(self):
        return f"{self.interaction_id}: {self.result}"

    @property
    def missed(self):
        return self.result in ("incorrect", "wrong")
