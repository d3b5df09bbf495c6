"""The media uploaders' words in the editor's language (admin-upload.js,
admin-resumable-upload.js), handed to the scripts as JSON on the file input
(``data-i18n``, set by ``MediaForm``): the admin's CSP runs no inline script. ``{name}``
placeholders are filled in by the scripts; each script keeps the English as its fallback."""

from django.utils.translation import gettext


def upload_strings():
    """The uploaders' sentences; the size refusal is the server's own (``too_large_message``)."""
    return {
        "tooLarge": gettext(
            "This file is too large: %(size)s; the limit is %(limit)s. "
            "Export a smaller file (a lower resolution or bitrate), or split it into parts."
        )
        % {"size": "{size}", "limit": "{limit}"},
        "uploading": gettext("Uploading… {percent}%"),
        "uploadingResumed": gettext("Uploading… {percent}% (resumed)"),
        "checking": gettext("Uploaded; checking the file…"),
        "interrupted": gettext(
            "The upload was interrupted (the connection dropped). Check your connection and try again."
        ),
        "interruptedResumable": gettext(
            "The upload was interrupted (the connection dropped). Save again with the same file "
            "to resume: the parts already sent are kept."
        ),
        "partRefused": gettext("The bucket refused a part (HTTP {status})."),
        "notStarted": gettext("The upload could not start."),
        "notCompleted": gettext("The upload could not be completed."),
    }
