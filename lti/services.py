"""What other apps may ask of ``lti`` (none do yet; ``courses`` asks through its reader registry)."""

from .models import Membership


def teaches(user, course):
    """Whether ``user`` is an active instructor (Instructor, ContentDeveloper, Administrator) of a
    platform course that links ``course``: they read its lessons as its instructors do."""
    return Membership.objects.filter(
        user=user, is_instructor=True, status=Membership.Status.ACTIVE, context__resource_links__course=course
    ).exists()


__all__ = ["teaches"]
