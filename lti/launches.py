"""What a validated launch does: the account, the context and its services, the membership,
the enrollment, and where the user lands.

Enrollment: a learner launched into a course is enrolled in it. The platform decides who is in
its course and when, so the course's **enrollment window and capacity** are not applied (the
LMS's roster and term dates are the rule there); Ringlet still decides that the course must be
**published** and that its **prerequisites** are completed, and says so on a page when not.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext
from wagtail.models import Page, Site

from courses.models import CoursePage
from courses.services import EnrollmentRefused, course_of, enroll

from .launch import Refused
from .linking import account_for
from .models import Context, Membership, Platform, ResourceLink

PAGE_PARAMETER = "ringlet_page_id"


@dataclass
class Arrival:
    user: object
    context: Context
    membership: Membership
    resource_link: ResourceLink | None
    page: Page | None
    course: CoursePage | None


def _page_from_url(url, request):
    parts = urlsplit(url or "")
    site = Site.find_for_request(request)
    if site is None:
        return None
    root = site.root_page
    path = parts.path.strip("/")
    url_path = root.url_path + (f"{path}/" if path else "")
    return Page.objects.live().filter(url_path=url_path).first()


def target_page(launch, request):
    """The live page a launch points at: the ``ringlet_page_id`` custom parameter (set by deep
    linking), else the page at ``target_link_uri``; None when neither names one."""
    page_id = str(launch.custom.get(PAGE_PARAMETER) or "")
    if page_id.isdigit():
        page = Page.objects.live().filter(pk=int(page_id)).first()
        if page is not None:
            return page.specific
    page = _page_from_url(launch.target_link_uri, request)
    return page.specific if page is not None else None


def _context(launch):
    claim = launch.context
    link_id = launch.resource_link.get("id", "")
    context_id = str(claim.get("id") or f"link:{link_id}")
    ags, nrps = launch.ags, launch.nrps
    defaults = {"title": (claim.get("title") or "")[:255], "label": (claim.get("label") or "")[:255]}
    if ags.get("lineitems"):
        defaults.update(lineitems_url=ags["lineitems"], ags_scopes=list(ags.get("scope") or []))
    if nrps.get("context_memberships_url"):
        defaults["memberships_url"] = nrps["context_memberships_url"]
    context, _ = Context.objects.update_or_create(
        deployment=launch.deployment, context_id=context_id, defaults=defaults
    )
    return context


def _membership(context, user, launch):
    membership, _ = Membership.objects.update_or_create(
        context=context,
        user=user,
        defaults={
            "roles": launch.roles,
            "is_instructor": launch.is_instructor,
            "status": Membership.Status.ACTIVE,
            "removed_at": None,
            "last_launch_at": timezone.now(),
        },
    )
    return membership


def _resource_link(context, launch, page, course):
    claim = launch.resource_link
    if not claim.get("id"):
        return None
    defaults = {"title": (claim.get("title") or "")[:255]}
    if page is not None:
        defaults.update(page=page, course=course)
    if launch.ags.get("lineitem"):
        defaults["lineitem_url"] = launch.ags["lineitem"]
    link, _ = ResourceLink.objects.update_or_create(
        context=context, resource_link_id=claim["id"], defaults=defaults
    )
    return link


def arrive(launch, request):
    """Record a validated launch; returns an Arrival. Raises Refused when a learner cannot be
    enrolled in the launched course (unpublished, prerequisites missing)."""
    claims = launch.claims
    user, _ = account_for(launch.platform, claims)
    context = _context(launch)
    membership = _membership(context, user, launch)
    page = course = link = None
    if not launch.is_deep_linking:
        page = target_page(launch, request)
        course = page if isinstance(page, CoursePage) else (course_of(page) if page is not None else None)
        link = _resource_link(context, launch, page, course)
        if link is not None and page is None and link.page_id:
            page, course = link.page.specific, link.course
    Platform.objects.filter(pk=launch.platform.pk).update(last_launch_at=timezone.now())
    if course is not None and not launch.is_instructor:
        try:
            enroll(user, course, seat_granted=True)
        except EnrollmentRefused as refusal:
            raise Refused(
                gettext("You cannot start “%(title)s” yet") % {"title": course.title},
                str(refusal),
                f"enrollment of user {user.pk} in course {course.pk} refused: {refusal}",
                platform=launch.platform,
            ) from refusal
    return Arrival(
        user=user, context=context, membership=membership, resource_link=link, page=page, course=course
    )
