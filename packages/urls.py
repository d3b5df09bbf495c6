from django.urls import path

from . import views

app_name = "packages"
urlpatterns = [
    # The gate: the lesson's readers only (on the site's origin, with the session cookie).
    path("learn/lessons/<int:lesson_id>/packages/<str:block_id>/", views.launch, name="launch"),
    # A signed session (on PACKAGES_ORIGIN when set): the token is the whole check.
    path("package-sessions/<str:token>/", views.player, name="player"),
    path("package-sessions/<str:token>/files/<path:path>", views.package_file, name="file"),
    path("package-sessions/<str:token>/runtime/", views.commit, name="commit"),
    path("package-sessions/<str:token>/h5p/state/", views.h5p_state, name="h5p_state"),
    path("package-sessions/<str:token>/h5p/statements/", views.h5p_statements, name="h5p_statements"),
]
