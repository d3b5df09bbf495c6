"""LTI 1.3: the platforms (LMSs) Ringlet is registered with, the tool's own keys, and what launches
and the Advantage services leave behind (linked accounts, contexts, memberships, grade posts).

The rules live in modules named for them: ``keys`` (the tool's signing keys), ``platform_keys``
(platforms' JWKS), ``launch`` (login initiation and id_token validation), ``linking`` (accounts),
``ags`` (grades), ``nrps`` (rosters), ``deep_linking`` and ``registration`` (Dynamic Registration).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel


def origin_of(url):
    """``https://lms.example.edu`` for ``https://lms.example.edu/path``; '' for anything else."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


class ToolKey(models.Model):
    """One RSA key pair of the tool. The newest key not retired signs; retired keys stay in the
    published JWKS for ``LTI_KEY_RETIRED_DAYS`` so that platforms holding a cached copy can
    still verify what was signed just before a rotation (``manage.py lti_rotate_keys``)."""

    kid = models.CharField(max_length=64, unique=True)
    private_key_pem = models.TextField(help_text=_("PEM (PKCS#8) private key; never leaves the server."))
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Tool key {self.kid}"


class Platform(ClusterableModel):
    """An LMS (Canvas, Moodle, Blackboard, Brightspace, Open edX...) Ringlet is registered with."""

    name = models.CharField(
        max_length=200,
        help_text=_("How administrators know it, e.g. “University Canvas”."),
        verbose_name=_("name"),
    )
    issuer = models.CharField(
        max_length=255,
        help_text=_("The platform's issuer (iss), e.g. https://canvas.instructure.com."),
        verbose_name=_("issuer"),
    )
    client_id = models.CharField(
        max_length=255, help_text=_("The client id the platform gave Ringlet."), verbose_name=_("client id")
    )
    auth_login_url = models.URLField(
        _("OIDC authentication URL"),
        max_length=500,
        help_text=_("Where Ringlet sends the browser to log in."),
    )
    auth_token_url = models.URLField(
        _("Access token URL"),
        max_length=500,
        help_text=_("OAuth 2 client-credentials endpoint (grades, roster)."),
    )
    auth_audience = models.CharField(
        _("Token audience"),
        max_length=500,
        blank=True,
        help_text=_(
            "The aud of Ringlet's token requests, if the platform asks for one (Moodle, Brightspace); "
            "blank: the access token URL."
        ),
    )
    key_set_url = models.URLField(
        _("Platform JWKS URL"),
        max_length=500,
        help_text=_("The platform's public keys (fetched and cached)."),
    )
    frame_origins = models.TextField(
        blank=True,
        help_text=_(
            "Origins allowed to frame Ringlet for this platform, one a line "
            "(e.g. https://school.instructure.com). The issuer's and the login URL's origins are "
            "always allowed."
        ),
        verbose_name=_("frame origins"),
    )
    is_active = models.BooleanField(
        default=True, help_text=_("Untick to refuse every launch from it."), verbose_name=_("is active")
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_launch_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_grade_post_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_grade_error = models.TextField(blank=True, editable=False)

    panels = [
        FieldPanel("name"),
        MultiFieldPanel(
            [FieldPanel("issuer"), FieldPanel("client_id"), FieldPanel("is_active")], heading=_("Identity")
        ),
        MultiFieldPanel(
            [
                FieldPanel("auth_login_url"),
                FieldPanel("auth_token_url"),
                FieldPanel("auth_audience"),
                FieldPanel("key_set_url"),
            ],
            heading=_("Endpoints"),
        ),
        FieldPanel("frame_origins"),
        InlinePanel("deployments", heading=_("Deployments"), label=_("Deployment"), min_num=0),
    ]

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_platform_issuer_client")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        for line in self.frame_origin_lines():
            if origin_of(line) != line.rstrip("/"):
                message = _("“%(line)s” is not an origin like https://lms.example.edu.") % {"line": line}
                raise ValidationError({"frame_origins": message})

    def deployment_list(self):
        return ", ".join(deployment.deployment_id for deployment in self.deployments.all())

    def frame_origin_lines(self):
        return [line.strip() for line in self.frame_origins.splitlines() if line.strip()]

    def allowed_frame_origins(self):
        """Origins that may frame Ringlet's pages for this platform's launches."""
        origins = {origin_of(self.issuer), origin_of(self.auth_login_url)}
        origins.update(line.rstrip("/") for line in self.frame_origin_lines())
        return sorted(origin for origin in origins if origin)


class Deployment(models.Model):
    """A deployment id of a platform: launches naming any other one are refused."""

    platform = ParentalKey(
        Platform, on_delete=models.CASCADE, related_name="deployments", verbose_name=_("platform")
    )
    deployment_id = models.CharField(max_length=255, verbose_name=_("deployment id"))
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))

    panels = [FieldRowPanel([FieldPanel("deployment_id"), FieldPanel("is_active")])]

    class Meta:
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        constraints = [
            models.UniqueConstraint(fields=["platform", "deployment_id"], name="lti_deployment_per_platform")
        ]

    def __str__(self):
        return self.deployment_id


class UsedNonce(models.Model):
    """Nonces of accepted id_tokens: a second launch with one is a replay (unique constraint)."""

    issuer = models.CharField(max_length=255)
    nonce = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "nonce"], name="lti_nonce_once")]

    def __str__(self):
        return f"{self.nonce} of {self.issuer}"


class Identity(models.Model):
    """A Ringlet account linked to a platform user: ``sub`` is unique per issuer (LTI 1.3 §5.1.2).

    Never matched by email: the first launch of a (issuer, sub) creates its own account."""

    issuer = models.CharField(max_length=255)
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identities"
    )
    platform = models.ForeignKey(Platform, null=True, on_delete=models.SET_NULL, related_name="identities")
    email = models.EmailField(blank=True, help_text=_("As the platform last shared it."))
    name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_launch_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = _("identities")
        constraints = [models.UniqueConstraint(fields=["issuer", "sub"], name="lti_identity_per_issuer")]

    def __str__(self):
        return f"{self.sub} at {self.issuer}"


class Context(models.Model):
    """A course (section) of a platform, for one deployment: its roster and gradebook services.

    Its resource links say which Ringlet courses it uses (one platform course may link several)."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="contexts")
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    label = models.CharField(max_length=255, blank=True)
    lineitems_url = models.URLField(max_length=500, blank=True, help_text=_("AGS line items container."))
    ags_scopes = models.JSONField(default=list, blank=True)
    memberships_url = models.URLField(max_length=500, blank=True, help_text=_("NRPS memberships."))
    last_roster_sync_at = models.DateTimeField(null=True, blank=True)
    last_roster_summary = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deployment", "context_id"], name="lti_context_per_deployment")
        ]

    def __str__(self):
        return self.title or self.context_id

    @property
    def platform(self):
        return self.deployment.platform


class ResourceLink(models.Model):
    """A placement of Ringlet content in a platform's course (a link an instructor added)."""

    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="resource_links")
    resource_link_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    course = models.ForeignKey(
        "courses.CoursePage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lineitem_url = models.URLField(
        max_length=500, blank=True, help_text=_("The line item the platform gave it.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["context", "resource_link_id"], name="lti_resource_link_per_context"
            )
        ]

    def __str__(self):
        return self.title or self.resource_link_id


class Membership(models.Model):
    """A Ringlet account in a platform context, with its roles there; kept (marked removed) when the
    platform's roster no longer lists it, so the student's progress and grades stay."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REMOVED = "removed", _("Removed from the platform's roster")

    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_memberships"
    )
    roles = models.JSONField(default=list, blank=True)
    is_instructor = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    removed_at = models.DateTimeField(null=True, blank=True)
    last_launch_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["context", "user"], name="lti_membership_per_context")]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self):
        return f"{self.user} in {self.context}"


class LineItem(models.Model):
    """A gradebook column Ringlet posts to: one per context and Ringlet resource (a course, a quiz)."""

    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="line_items")
    resource_id = models.CharField(
        max_length=100, help_text=_("“course-<id>” or “quiz-<lesson id>-<quiz id>”.")
    )
    url = models.URLField(max_length=500)
    label = models.CharField(max_length=255)
    score_maximum = models.FloatField(default=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["context", "resource_id"], name="lti_line_item_per_resource")
        ]

    def __str__(self):
        return self.label


class GradePost(models.Model):
    """One score to post for one event (a quiz attempt, a course completion) to one context.

    The unique constraint makes an event's post exist once; the task posts a row at most once
    (it is locked while posting, and a posted row is never posted again)."""

    class Kind(models.TextChoices):
        QUIZ = "quiz", _("Quiz attempt")
        COURSE = "course", _("Course completion")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        POSTED = "posted", _("Posted")
        FAILED = "failed", _("Failed")

    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="grade_posts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source_id = models.BigIntegerField(help_text=_("The QuizAttempt or Enrollment id."))
    resource_id = models.CharField(max_length=100)
    label = models.CharField(max_length=255)
    score_given = models.FloatField()
    score_maximum = models.FloatField(default=100)
    activity_progress = models.CharField(max_length=20, default="Completed")
    grading_progress = models.CharField(max_length=20, default="FullyGraded")
    timestamp = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    tries = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["context", "kind", "source_id"], name="lti_grade_post_once")
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.label}: {self.score_given}/{self.score_maximum} for {self.user} ({self.status})"


class RegistrationInvite(models.Model):
    """A one-time Dynamic Registration URL an administrator hands to a platform's administrator.

    Only a SHA-256 hash of the token is stored; the URL is shown once."""

    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    platform = models.ForeignKey(Platform, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return f"Registration invite of {self.created_at:%Y-%m-%d}"
