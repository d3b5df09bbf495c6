"""The instructor's report on a content package: attempts, completion, scores, time, most missed interactions.

Who sees a package's report: whoever may change it in the admin (its collection's
permissions: the Editors everywhere, a course's instructors in their course's collection).
"""

from collections import Counter
from dataclasses import dataclass, field
from statistics import mean

from django.db.models import Count, Q
from wagtail.permissions import policy_registry

from .models import Attempt, ContentPackage, Interaction


def reportable_packages(user):
    """The packages ``user`` may see reports of (those they may change), newest first."""
    policy = policy_registry.get_by_type(ContentPackage)
    return policy.instances_user_has_any_permission_for(user, ["change"]).order_by("-created_at")


def may_see_reports(user):
    return policy_registry.get_by_type(ContentPackage).user_has_any_permission(user, ["change"])


@dataclass
class MissedInteraction:
    interaction_id: str
    description: str
    answered: int
    missed: int
    common_wrong_response: str = ""

    @property
    def missed_percent(self):
        return round(100 * self.missed / self.answered) if self.answered else 0


@dataclass
class PackageReport:
    package: ContentPackage
    learners: int = 0
    attempts: int = 0
    completed_learners: int = 0
    passed_learners: int = 0
    failed_learners: int = 0
    average_best_score: int | None = None  # percent
    average_minutes: float | None = None  # per learner, all attempts
    most_missed: list = field(default_factory=list)

    @property
    def completion_percent(self):
        return round(100 * self.completed_learners / self.learners) if self.learners else 0


def package_report(package, top=5):
    """A ``PackageReport`` over every attempt at ``package``, in every lesson that plays it."""
    attempts = list(
        Attempt.objects.filter(package=package).values(
            "user_id", "completed_at", "success_status", "score_scaled", "total_seconds"
        )
    )
    report = PackageReport(package=package, attempts=len(attempts))
    by_learner = {}
    for attempt in attempts:
        by_learner.setdefault(attempt["user_id"], []).append(attempt)
    report.learners = len(by_learner)
    best_scores, minutes = [], []
    for rows in by_learner.values():
        if any(row["completed_at"] for row in rows):
            report.completed_learners += 1
        if any(row["success_status"] == Attempt.Success.PASSED for row in rows):
            report.passed_learners += 1
        elif any(row["success_status"] == Attempt.Success.FAILED for row in rows):
            report.failed_learners += 1
        scores = [row["score_scaled"] for row in rows if row["score_scaled"] is not None]
        if scores:
            best_scores.append(max(0.0, max(scores)))
        minutes.append(sum(row["total_seconds"] for row in rows) / 60)
    if best_scores:
        report.average_best_score = round(100 * mean(best_scores))
    if minutes:
        report.average_minutes = round(mean(minutes), 1)
    report.most_missed = most_missed_interactions(package, top)
    return report


MISSED = Q(result__in=["incorrect", "wrong"])


def most_missed_interactions(package, top=5):
    """The interactions answered wrongly most often (``cmi.interactions``, H5P's answers), worst first."""
    rows = (
        Interaction.objects.filter(attempt__package=package)
        .values("interaction_id")
        .annotate(answered=Count("pk"), missed=Count("pk", filter=MISSED))
        .filter(missed__gt=0)
        .order_by("-missed", "interaction_id")[:top]
    )
    result = []
    for row in rows:
        wrong = Interaction.objects.filter(
            MISSED, attempt__package=package, interaction_id=row["interaction_id"]
        ).values_list("learner_response", "description")
        responses = Counter(response for response, _ in wrong if response)
        description = next((text for _, text in wrong if text), "")
        result.append(
            MissedInteraction(
                interaction_id=row["interaction_id"],
                description=description,
                answered=row["answered"],
                missed=row["missed"],
                common_wrong_response=responses.most_common(1)[0][0] if responses else "",
            )
        )
    return result
