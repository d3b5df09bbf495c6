"""The admin's "New course" view: an instructor starts a draft course they then edit in Wagtail."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .models import CourseIndexPage
from .roles import may_start_course, start_course


class StartCourseForm(forms.Form):
    title = forms.CharField(max_length=255)
    summary = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences shown in the catalogue."),
    )
    catalogue = forms.ModelChoiceField(queryset=CourseIndexPage.objects.none(), empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalogue"].queryset = CourseIndexPage.objects.order_by("path")


class StartCourseView(WagtailAdminTemplateMixin, FormView):
    form_class = StartCourseForm
    template_name = "courses/admin/start_course.html"
    page_title = _("New course")
    header_icon = "folder-open-inverse"

    def dispatch(self, request, *args, **kwargs):
        if not may_start_course(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        course = start_course(
            self.request.user,
            form.cleaned_data["catalogue"],
            form.cleaned_data["title"],
            form.cleaned_data["summary"],
        )
        messages.success(
            self.request,
            gettext("“%(title)s” is ready for you to write. Submit it for review when done.")
            % {"title": course.title},
        )
        return redirect(reverse("wagtailadmin_pages:edit", args=[course.pk]))
