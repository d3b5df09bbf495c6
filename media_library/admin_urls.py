from django.urls import path

from . import views

app_name = "media_library_admin"
urlpatterns = [
    path("<int:media_id>/status/", views.admin_status, name="status"),
    path("<int:media_id>/retranscode/", views.admin_retranscode, name="retranscode"),
]
