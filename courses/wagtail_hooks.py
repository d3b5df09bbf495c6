"""The courses app in the Wagtail admin: its snippets and the course enrollment report."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext, gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, SnippetViewSet, SnippetViewSetGroup

from outbox.services import enqueue

from .admin_panels import dashboard_panels
from .admin_views import StartCourseView
from .certificates import reissue_certificate
from .models import Category, Certificate, CoursePage, Instructor
from .reports import CourseEnrollmentReportView
from .roles import may_start_course
from .tasks import issue_certificate as issue_certificate_task


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    search_backend_name = None  # plain ORM lookups; categories are not in the search index


class InstructorViewSet(SnippetViewSet):
    model = Instructor
    icon = "user"
    list_display = ["name", "user"]
    search_fields = ["name"]
    search_backend_name = None


class CertificateEditView(EditView):
    """Saving a corrected name reissues the certificate: a new PDF, emailed to the student."""

    def save_instance(self):
        previous = (
            Certificate.objects.filter(pk=self.object.pk).values_list("student_name", flat=True).first()
        )
        certificate = super().save_instance()
        if previous is not None and certificate.student_name != previous:
            reissue_certificate(certificate, previous)
            enqueue(issue_certificate_task, certificate.user_id, certificate.course_id)
            messages.info(
                self.request,
                gettext(
                    "The certificate is being reissued to “%(name)s”: a new PDF, emailed to the student, "
                    "under the same code."
                )
                % {"name": certificate.student_name},
            )
        return certificate


class CertificateViewSet(SnippetViewSet):
    """Issued certificates; editors revoke one by ticking "revoked" (and giving a reason), or
    correct the name on it, which reissues it."""

    model = Certificate
    icon = "doc-full"
    list_display = ["code", "student_name", "course_title", "completed_at", "revoked"]
    # CSV and XLSX downloads of the listing (formulas written as text: portal/spreadsheets.py).
    list_export = ["code", "student_name", "course_title", "completed_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["code", "student_name", "course_title"]
    search_backend_name = None
    edit_view_class = CertificateEditView
    panels = [
        FieldPanel(
            "student_name",
            heading=gettext_lazy("Name on the certificate"),
            help_text=gettext_lazy(
                "Correct it if the student asks: saving reissues the certificate (a new PDF, "
                "emailed to them) under the same code, and their account keeps the corrected name for "
                "later certificates."
            ),
        ),
        FieldPanel("revoked"),
        FieldPanel("revoked_reason"),
    ]


class CourseSnippets(SnippetViewSetGroup):
    items = (CategoryViewSet, InstructorViewSet, CertificateViewSet)
    menu_label = gettext_lazy("Courses")
    menu_icon = "folder-open-inverse"
    menu_name = "courses"


register_snippet(CourseSnippets)


class CourseEnrollmentReportMenuItem(MenuItem):
    def is_shown(self, request):
        return PagePermissionPolicy(Page).user_has_any_permission(request.user, ["add", "change", "publish"])


class StartCourseMenuItem(MenuItem):
    def is_shown(self, request):
        return may_start_course(request.user)


@hooks.register("register_admin_menu_item")
def register_start_course_menu_item():
    return StartCourseMenuItem(
        gettext_lazy("New course"), reverse("course_start"), name="new-course", icon_name="plus", order=150
    )


@hooks.register("register_admin_urls")
def register_course_enrollment_report_urls():
    return [
        path("courses/new/", StartCourseView.as_view(), name="course_start"),
        path(
            "reports/course-enrollments/",
            CourseEnrollmentReportView.as_view(),
            name="course_enrollment_report",
        ),
        path(
            "reports/course-enrollments/results/",
            CourseEnrollmentReportView.as_view(results_only=True),
            name="course_enrollment_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_course_enrollment_report_menu_item():
    return CourseEnrollmentReportMenuItem(
        gettext_lazy("Course enrollments"),
        reverse("course_enrollment_report"),
        name="course-enrollments",
        icon_name="group",
        order=1000,
    )


@hooks.register("construct_homepage_panels")
def add_dashboard_panels(request, panels):
    panels.extend(dashboard_panels(request.user))


# A course students could enroll in but read nothing of: it waits for a published lesson.
EMPTY_COURSE = gettext_lazy(
    "“%(title)s” has no published lesson yet, so it cannot be published: students would find an "
    "empty course. Publish (or approve) at least one of its lessons first; the course is saved as a draft."
)


def empty_course_refusal(request, page):
    """Send the editor back to the course's edit view with why, if ``page`` is a course going live
    for the first time without a published lesson; else None (the publish goes ahead).

    A course already live may publish its changes whatever its lessons do (unpublishing it is
    how to take it offline), so editing a published course is never blocked.
    """
    course = page.specific
    if not isinstance(course, CoursePage) or course.get_outline().lessons:
        return None
    # (The create view has added the new page as live already, just before publishing it.)
    creating = getattr(request.resolver_match, "url_name", None) == "add"
    if not creating and CoursePage.objects.filter(pk=course.pk, live=True).exists():
        return None
    # A new course stays a draft instead.
    Page.objects.filter(pk=course.pk).update(live=False, has_unpublished_changes=True)
    messages.error(request, EMPTY_COURSE % {"title": course.title})
    return redirect("wagtailadmin_pages:edit", course.pk)


@hooks.register("before_publish_page")
def refuse_publishing_an_empty_course(request, page):
    """The Publish button, in the create and edit views."""
    return empty_course_refusal(request, page)


@hooks.register("before_edit_page")
def refuse_approving_an_empty_course(request, page):
    """ "Approve and publish" in the edit view (the workflow's last step publishes the course)."""
    approving = request.method == "POST" and request.POST.get("action-workflow-action")
    if approving and request.POST.get("workflow-action-name") == "approve":
        return empty_course_refusal(request, page)
    return None
