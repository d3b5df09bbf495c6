"""The "Course review" workflow's task: Wagtail's group approval, which asks before publishing a
page another app says students could not use (a lesson whose document cannot be read).

A proxy of ``GroupApprovalTask`` (no table of its own): the same groups and task states, with
approval checked. Wagtail's approval publishes without the page's edit form, so the lesson
form's own check (``lessons/forms.py``) does not run there; this does, for the modal, the
dashboard's plain "Approve" and the edit view's approve alike.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.forms import TaskStateCommentForm
from wagtail.models import GroupApprovalTask

# check(page) -> list of problems (sentences) that publishing ``page`` would put before students.
_approval_checks = []


def register_approval_check(check):
    if check not in _approval_checks:
        _approval_checks.append(check)


def approval_problems(page):
    return [problem for check in _approval_checks for problem in check(page)]


class ConfirmedApprovalForm(TaskStateCommentForm):
    publish_anyway = forms.BooleanField(
        required=False,
        label=_("Publish anyway: I know students cannot use what is described above"),
    )
    task = None  # set per task: its problems are read when the form is shown and checked

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        problems = getattr(self.task, "pending_problems", None) or []
        if problems:
            self.fields["publish_anyway"].help_text = " ".join(problems)
        else:
            del self.fields["publish_anyway"]

    def clean(self):
        cleaned = super().clean()
        problems = getattr(self.task, "pending_problems", None) or []
        if problems and not cleaned.get("publish_anyway"):
            raise forms.ValidationError(
                _(
                    "Approving publishes this page, and: %(problems)s Replace the file (or remove it from "
                    "the lesson), or tick “Publish anyway”."
                ),
                code="unreadable_document",
                params={"problems": " ".join(problems)},
            )
        return cleaned


class CourseReviewTask(GroupApprovalTask):
    class Meta:
        proxy = True
        verbose_name = _("Course review task")
        verbose_name_plural = _("Course review tasks")

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        # The revision under review (the latest), not the live page.
        latest = obj.get_latest_revision_as_object() if hasattr(obj, "get_latest_revision_as_object") else obj
        self.pending_problems = approval_problems(latest)
        if not self.pending_problems:
            return actions
        # Approving asks: every approve action opens the form with the problems and the box to tick.
        approve = [a for a in actions if a[0] == "approve"]
        others = [a for a in actions if a[0] != "approve"]
        return others + ([("approve", "Approve (needs confirming)", True)] if approve else [])

    def get_form_for_action(self, action):
        if action != "approve":
            return super().get_form_for_action(action)
        return type("ConfirmedApprovalForm", (ConfirmedApprovalForm,), {"task": self})

    def on_action(self, task_state, user, action_name, **kwargs):
        confirmed = kwargs.pop("publish_anyway", False)
        if action_name == "approve" and not confirmed:
            problems = approval_problems(task_state.revision.as_object())
            if problems:
                # A request that skipped the form (a direct POST): refused, nothing changes.
                raise PermissionDenied("Not approved: " + " ".join(problems))
        return super().on_action(task_state, user, action_name, **kwargs)
