"""Factories for media library items (factory_boy, as tests/factories.py is for pages)."""

import posixpath

import factory
from django.core.files.storage import default_storage
from factory.django import DjangoModelFactory

from media_library.models import Media

# ``source_file`` of an item whose file is stored before the item is saved (``enqueue=False``).
_STORED_FIRST = object()


class MediaFactory(DjangoModelFactory):
    """A media library item, saved as an upload is: on commit its transcode is queued.

    ``file`` is any Django ``File`` (by default a few bytes that are not a video, enough for
    tests that never decode it). With ``enqueue=False`` the file is stored first and the item
    records it as already seen, so no transcode is queued, as when the broker was down at
    upload time (the sweep or ``tests.media_fixtures.transcode_here`` takes it from there).
    """

    title = factory.Sequence(lambda n: f"Clip {n}")
    type = "video"
    file = factory.django.FileField(data=b"not really a video", filename="clip.mp4")
    source_file = factory.Maybe("enqueue", yes_declaration="", no_declaration=_STORED_FIRST)

    class Meta:
        model = Media

    class Params:
        enqueue = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if kwargs.get("source_file") is _STORED_FIRST:
            upload = kwargs["file"]
            name = default_storage.save(posixpath.join("media", posixpath.basename(upload.name)), upload)
            kwargs["file"] = kwargs["source_file"] = name
        return super()._create(model_class, *args, **kwargs)
