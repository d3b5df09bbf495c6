from django.urls import path

from . import views

app_name = "courses"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("certificates/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("certificates/<str:code>/download/", views.certificate_download, name="certificate_download"),
    path("learn/courses/<int:course_id>/enroll/", views.enroll, name="enroll"),
    path("learn/courses/<int:course_id>/enroll/intent/", views.enroll_intent, name="enroll_intent"),
    path("learn/courses/<int:course_id>/join/", views.join, name="join"),
    path("learn/courses/<int:course_id>/unenroll/", views.unenroll, name="unenroll"),
]
