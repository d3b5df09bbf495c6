from django.urls import path

from . import upload_views, views

app_name = "media_library_admin"
urlpatterns = [
    path("<int:media_id>/status/", views.admin_status, name="status"),
    path("<int:media_id>/retranscode/", views.admin_retranscode, name="retranscode"),
    # Resumable uploads straight to the bucket (media_library/resumable.py).
    path("uploads/", upload_views.start, name="upload_start"),
    path("uploads/<uuid:upload_id>/", upload_views.upload, name="upload"),
    path("uploads/<uuid:upload_id>/parts/", upload_views.sign, name="upload_parts"),
    path("uploads/<uuid:upload_id>/complete/", upload_views.complete, name="upload_complete"),
]
