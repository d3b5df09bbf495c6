from django import template
from django.urls import reverse

from packages import services

register = template.Library()


@register.simple_tag(takes_context=True)
def package_view(context, value, block_id):
    """What a package block shows: its title, the launch URL (the lesson's gate) and the student's result."""
    package = value.get("package")
    page = context.get("page")
    learning = context.get("learning")
    title = value.get("title") or (package.title if package else "Activity")
    view = {"title": title, "launch_url": None, "attempt": None, "tracked": False}
    if package is None or not package.is_ready or page is None or not block_id:
        view["unavailable"] = "This activity is not available yet."
        return view
    view["launch_url"] = reverse("packages:launch", args=[page.pk, block_id])
    student = learning.course_learner if learning is not None else None
    if student is not None and student.enrolled and student.user.pk is not None:
        view["tracked"] = True
        attempt = services.attempt_summary(student.user, page, block_id)
        view["attempt"] = attempt
        view["summary"] = summary(attempt)
    return view


def summary(attempt):
    if attempt is None:
        return ""
    parts = []
    if attempt.is_complete:
        parts.append("Completed")
    elif attempt.success_status == "failed":
        parts.append("Not passed yet")
    elif attempt.completion_status == "incomplete" or attempt.suspended:
        parts.append("In progress: you will continue where you left off")
    if attempt.score_scaled is not None:
        parts.append(f"score {round(100 * max(0.0, attempt.score_scaled))}%")
    if attempt.number > 1:
        parts.append(f"attempt {attempt.number}")
    return ", ".join(parts)
