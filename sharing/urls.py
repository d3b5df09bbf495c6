from django.urls import path

from . import views

urlpatterns = [path("share/<str:token>/", views.shared_draft, name="shared_draft")]
