"""``{% distinct_srcset_image %}``: Wagtail's ``srcset_image``, without repeated widths in ``srcset``.

Wagtail never scales an image up, so an image narrower than the largest width asked for gets
several renditions of the same width (a 400 px cover asked for ``fill-{320x180,640x360}``
yields 320 and 400 wide ones, but one 300 px wide yields two of 300), and a ``srcset``
with two ``300w`` candidates is invalid HTML. This tag takes the same arguments and keeps
the first rendition of each width (the specs are listed smallest first), and drops
``sizes`` when a single image is left (no ``srcset``, so ``sizes`` would be invalid).
"""

from django import template
from django.template.base import Token
from wagtail.images.models import ResponsiveImage
from wagtail.images.shortcuts import get_renditions_or_not_found
from wagtail.images.templatetags import wagtailimages_tags

from pagetree import content_version

register = template.Library()


def distinct_widths(renditions):
    """``{spec: rendition}`` keeping only the first rendition of each width, in order."""
    seen, kept = set(), {}
    for spec, rendition in renditions.items():
        if rendition.width not in seen:
            seen.add(rendition.width)
            kept[spec] = rendition
    return kept


def remembered_renditions(image, filters):
    """Wagtail's ``get_renditions_or_not_found``, remembered by the process under the content
    version (saving an image replaces it: ``courses.signal_handlers``). Wagtail reads renditions
    with one ``get_many`` and, not marking those it found there as cached, writes them back with
    a ``set_many`` on every view: two round trips per course page with a cover."""
    version = content_version.current()
    key = (
        "pagetree:renditions",
        image.pk,
        image.file_hash,
        tuple((f.spec, f.get_cache_key(image)) for f in filters),
    )
    found = content_version.remembered(key, version)
    if found is content_version.MISSING:
        found = get_renditions_or_not_found(image, filters)
        if not any(getattr(rendition, "id", None) is None for rendition in found.values()):
            content_version.remember(key, version, found)  # a stand-in for a missing file is not kept
    return found


class DistinctSrcsetImageNode(wagtailimages_tags.SrcsetImageNode):
    def render(self, context):
        image = self.validate_image(context)
        if not image:
            return ""
        renditions = distinct_widths(remembered_renditions(image, self.get_filters()))
        if self.output_var_name:
            context[self.output_var_name] = ResponsiveImage(renditions)
            return ""
        attrs = {key: value.resolve(context) for key, value in self.attrs.items()}
        if len(renditions) == 1:
            attrs.pop("sizes", None)  # one image, no srcset: ``sizes`` alone is invalid too
        return ResponsiveImage(renditions, attrs).__html__()


@register.tag
def distinct_srcset_image(parser, token):
    # Wagtail's own parser (same arguments, same errors), with this node.
    _name, rest = token.contents.split(None, 1)
    node = wagtailimages_tags.image(parser, Token(token.token_type, f"srcset_image {rest}"))
    return DistinctSrcsetImageNode(
        node.image_expr, node.filter_specs, output_var_name=node.output_var_name, attrs=node.attrs
    )
