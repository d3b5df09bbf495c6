"""``distinct_srcset_image``: responsive images whose ``srcset`` never repeats a width (valid HTML)."""

import re

import pytest
import wagtail_factories
from django.template import Context, Template

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_cached_renditions():
    """Wagtail caches renditions by image id and file hash, which factory images leave empty:
    after a transactional test resets the ids, another test's renditions would come back."""
    from wagtail.images import get_image_model

    # Only the renditions, and only under this run's cache prefix: the Redis may be shared.
    get_image_model().get_rendition_model().cache_backend.delete_own_keys("wagtail-rendition-*")


def render(source, image):
    return Template("{% load wagtailimages_tags ringlet_images %}" + source).render(Context({"img": image}))


def srcset_widths(html):
    match = re.search(r'srcset="([^"]+)"', html)
    return [int(w) for w in re.findall(r" (\d+)w", match.group(1))] if match else []


def test_a_small_image_repeats_widths_in_wagtails_srcset_but_not_in_ours():
    image = wagtail_factories.ImageFactory(file__width=600, file__height=400)
    spec = 'width-{480,800,1200} format-webp sizes="100vw"'
    # Wagtail never scales up: 800 and 1200 both give the 600 px original's width.
    assert srcset_widths(render(f"{{% srcset_image img {spec} %}}", image)) == [480, 600, 600]
    html = render(f"{{% distinct_srcset_image img {spec} %}}", image)
    assert srcset_widths(html) == [480, 600]
    assert 'sizes="100vw"' in html and ".format-webp" in html


def test_a_cover_smaller_than_every_rendition_gets_one_image_and_no_srcset():
    cover = wagtail_factories.ImageFactory(file__width=300, file__height=169)
    html = render(
        "{% distinct_srcset_image img fill-{320x180,640x360} format-webp "
        'sizes="22rem" class="course-card__image" %}',
        cover,
    )
    assert html.count("<img") == 1 and "srcset" not in html and "sizes" not in html
    assert 'class="course-card__image"' in html and 'width="300"' in html


def test_a_large_image_keeps_every_width_and_the_as_form_works():
    image = wagtail_factories.ImageFactory(file__width=1600, file__height=900)
    html = render("{% distinct_srcset_image img fill-{320x180,640x360} as cover %}{{ cover }}", image)
    assert srcset_widths(html) == [320, 640]
