"""The admin's upload form: a package is checked as it arrives, and again by the worker."""

import posixpath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import Collection
from wagtail.permissions import policy_registry

from .archive import Limits, open_archive, too_large
from .manifests import PackageRefused, describe
from .models import ContentPackage


class ContentPackageForm(WagtailAdminModelForm):
    """Title, file and collection. The zip's directory and manifest are read on upload, so most
    refusals (no manifest, ``../`` paths, a missing file, an H5P without libraries, the size
    caps) are shown at once; the worker repeats every check while unpacking."""

    class Meta:
        model = ContentPackage
        fields = ["title", "file", "collection"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the title the package gives itself.")
        limits = Limits.from_settings()
        self.fields["file"].widget.attrs["accept"] = ".zip,.h5p,application/zip"
        at_most = _("At most %(size)s MiB.") % {"size": f"{limits.upload_bytes // (1024 * 1024):,}"}
        self.fields["file"].help_text = f"{self.fields['file'].help_text} {at_most}"
        if self.for_user is not None and "collection" in self.fields:
            policy = policy_registry.get_by_type(ContentPackage)
            allowed = policy.collections_user_has_permission_for(self.for_user, "add")
            self.fields["collection"].queryset = Collection.objects.filter(pk__in=allowed.values("pk"))
            if not self.instance.pk and allowed.count() == 1:
                self.fields["collection"].initial = allowed.first()

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if not uploaded or "file" not in self.changed_data:
            return uploaded
        limits = Limits.from_settings()
        try:
            if not uploaded.size:
                raise PackageRefused(_("The file is empty (0 bytes). Choose the file again."))
            if uploaded.size > limits.upload_bytes:
                raise too_large(uploaded.size, limits)
            uploaded.seek(0)
            archive = open_archive(uploaded.file, limits)
            self.facts = describe(archive.names, lambda name: archive.read(name, limit=20 * 1024 * 1024))
        except PackageRefused as refusal:
            raise ValidationError(refusal.message, code="refused") from None
        finally:
            uploaded.seek(0)
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("title"):
            facts = getattr(self, "facts", None)
            uploaded = cleaned.get("file")
            name = posixpath.splitext(posixpath.basename(uploaded.name))[0] if uploaded else ""
            cleaned["title"] = (facts.title if facts and facts.title else name)[:255] or self.instance.title
            self.instance.title = cleaned["title"]
        return cleaned
