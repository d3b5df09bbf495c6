from django.urls import include, path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="accounts_profile"),
    path("delete/", views.delete_account, name="accounts_delete"),
    path("email-preferences/", views.email_preferences, name="accounts_email_preferences"),
    path("language/", views.language, name="accounts_language"),
    path("certificate-name/", views.certificate_name, name="accounts_certificate_name"),
    path("unsubscribe/<str:kind>/<str:token>/", views.unsubscribe, name="accounts_unsubscribe"),
    # Sign up, log in and out, email, password, sessions and Google.
    path("", include("allauth.urls")),
]
