"""Names and Role Provisioning Services 2.0: an instructor syncs the platform's roster.

Every active member the platform lists gets their linked account (made on first sight, as a
launch would) and a membership; learners are enrolled in every course the context links (the
seat is the platform's to grant, as at launch). Members no longer listed, or listed as
Inactive or Deleted, are marked removed: their enrollment, progress and grades stay.
"""

import logging

from django.utils import timezone

from courses.services import EnrollmentRefused, enroll

from . import claims as c
from .linking import account_for
from .models import Membership, ResourceLink
from .services_client import ServiceError, call

logger = logging.getLogger(__name__)
MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 200


def fetch_members(context):
    """Every member the platform lists for ``context``, following ``Link: rel="next"`` pages."""
    if not context.memberships_url:
        raise ServiceError("This platform course offers no roster service (NRPS).", retryable=False)
    members, url, pages = [], context.memberships_url, 0
    while url and pages < MAX_PAGES:
        response = call(context.platform, [c.SCOPE_NRPS], "GET", url, headers={"Accept": MEMBERSHIPS})
        try:
            page = response.json()
        except ValueError as error:
            raise ServiceError("The roster service did not answer with JSON.", retryable=True) from error
        members.extend(member for member in page.get("members") or [] if isinstance(member, dict))
        url = response.links.get("next", {}).get("url")
        pages += 1
    return members


def sync_roster(context):
    """Bring ``context``'s memberships in line with the platform's roster; returns a summary sentence."""
    platform = context.platform
    courses = [
        link.course
        for link in ResourceLink.objects.filter(context=context, course__isnull=False).select_related(
            "course"
        )
    ]
    courses = list({course.pk: course for course in courses}.values())
    listed, enrolled, refused, instructors = set(), 0, 0, 0
    for member in fetch_members(context):
        if not member.get("user_id") or (member.get("status") or "Active") != "Active":
            continue
        person = {**member, "sub": member["user_id"]}
        user, _ = account_for(platform, person, launched=False)
        roles = [role for role in member.get("roles") or [] if isinstance(role, str)]
        instructor = c.is_instructor(roles)
        Membership.objects.update_or_create(
            context=context,
            user=user,
            defaults={
                "roles": roles,
                "is_instructor": instructor,
                "status": Membership.Status.ACTIVE,
                "removed_at": None,
            },
        )
        listed.add(user.pk)
        if instructor:
            instructors += 1
            continue
        for course in courses:
            try:
                _, created = enroll(user, course, seat_granted=True)
                enrolled += created
            except EnrollmentRefused as refusal:
                refused += 1
                logger.info("Roster sync: user %s not enrolled in course %s: %s", user.pk, course.pk, refusal)
    removed = (
        Membership.objects.filter(context=context, status=Membership.Status.ACTIVE)
        .exclude(user_id__in=listed)
        .update(status=Membership.Status.REMOVED, removed_at=timezone.now())
    )
    summary = (
        f"{len(listed)} members listed ({instructors} instructors); {enrolled} newly enrolled; "
        f"{removed} marked removed" + (f"; {refused} could not be enrolled" if refused else "")
    )
    context.last_roster_sync_at = timezone.now()
    context.last_roster_summary = summary[:255]
    context.save(update_fields=["last_roster_sync_at", "last_roster_summary"])
    logger.info("Roster of context %s synced: %s", context.pk, summary)
    return summary
