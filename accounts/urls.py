from django.urls import include, path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="accounts_profile"),
    path("delete/", views.delete_account, name="accounts_delete"),
    # Sign up, log in and out, email, password, sessions and Google.
    path("", include("allauth.urls")),
]
