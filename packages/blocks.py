"""The content-package block: a SCORM package or H5P activity from the admin's content packages.

The lesson body's block list includes it (``lessons/blocks.py``). This module imports no
models, so the lesson page model can use it.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .choosers import package_chooser_viewset

PackageChooserBlock = package_chooser_viewset.get_block_class(
    name="PackageChooserBlock", module_path="packages.blocks"
)


class PackageBlock(blocks.StructBlock):
    """A SCORM 1.2/2004 package or an H5P activity, played in the lesson for whoever may read it.

    Enrolled students' progress (SCORM's data model, H5P's state) is kept on the server per
    attempt, so they resume where they left off on any device; completing it (and passing,
    when the package sets a passing score) completes the lesson.
    """

    package = PackageChooserBlock(label=_("Package"))
    title = blocks.CharBlock(
        required=False,
        max_length=200,
        help_text=_("Shown above the activity. Defaults to the package's title."),
        label=_("Title"),
    )
    height = blocks.IntegerBlock(
        default=600,
        min_value=300,
        max_value=1600,
        help_text=_("Height of the activity's frame, in pixels."),
        label=_("Height"),
    )

    class Meta:
        icon = "folder-open-inverse"
        template = "packages/blocks/package_block.html"
        help_text = _(
            "Completing the activity (and passing it, if it sets a passing score) completes the lesson."
        )

    def get_api_representation(self, value, context=None):
        package = value.get("package")
        return {
            "package": package.pk if package else None,
            "kind": package.kind if package else None,
            "title": value.get("title") or (package.title if package else ""),
        }
