from django.urls import path

from . import views

app_name = "lessons"
urlpatterns = [
    path("learn/lessons/<int:lesson_id>/complete/", views.mark_complete, name="mark_complete"),
    path("learn/lessons/<int:lesson_id>/quiz/<str:quiz_id>/", views.submit_quiz, name="submit_quiz"),
    path("learn/playback/", views.playback, name="playback"),
]
