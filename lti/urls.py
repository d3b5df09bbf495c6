from django.urls import path

from . import views

app_name = "lti"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("launch/", views.launch, name="launch"),
    path("jwks/", views.jwks, name="jwks"),
    path("canvas.json", views.canvas_configuration, name="canvas_configuration"),
    path("deep-linking/", views.pick, name="deep_linking"),
    path("contexts/<int:context_id>/", views.context, name="context"),
    path("contexts/<int:context_id>/sync/", views.sync, name="sync"),
    path("register/<str:token>/", views.register, name="register"),
]
