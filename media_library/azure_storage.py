"""django-storages' Azure Blob backend, keeping Django's ``listdir`` contract.

Upstream's ``AzureStorage.listdir(path)`` returns ``([], <every blob name under path, in
full, recursively>)``, unlike the filesystem and S3 backends, which return the immediate
subdirectories and file names relative to ``path``. The version switch lists and deletes
rendition trees through ``listdir``, so with upstream's answer it would delete nothing and
never see the old versions.
"""

from storages.backends import azure_storage


class AzureStorage(azure_storage.AzureStorage):
    def listdir(self, path=""):
        prefix = self._get_valid_path(path) if path else ""
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        dirs, files = [], []
        for item in self.client.walk_blobs(name_starts_with=prefix, delimiter="/", timeout=self.timeout):
            name = item.name[len(prefix) :]
            if name.endswith("/"):  # a BlobPrefix: a "directory"
                dirs.append(name[:-1])
            else:
                files.append(name)
        return dirs, files
