from django.urls import path

from . import views

app_name = "media_library"
urlpatterns = [
    path("documents/<int:document_id>/thumbnail.webp", views.document_thumbnail, name="document_thumbnail"),
    path("<int:media_id>/captions/<int:caption_id>.vtt", views.caption, name="caption"),
    path("<int:media_id>/chapters.vtt", views.chapters, name="chapters"),
    path(
        "signed/<int:expires>/<str:signature>/<int:media_id>/<str:version>/<path:path>",
        views.signed_rendition,
        name="signed_rendition",
    ),
    # Checked by the edge (nginx's secure_link) where there is one; by Django otherwise.
    path(
        "edge/<int:expires>/<str:signature>/<int:media_id>/<str:version>/<path:path>",
        views.edge_signed_rendition,
        name="edge_signed_rendition",
    ),
    path("<int:media_id>/<str:version>/<path:path>", views.rendition, name="rendition"),
]
