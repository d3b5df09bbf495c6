"""Runs Ralph's LRS API with its filesystem backend, in Ralph's own venv (.venv-ralph/bin/python).

Ralph 5.1.0's filesystem LRS backend writes every POSTed batch with the "create" operation,
which refuses to touch its statements file once it exists: the second batch fails with
"Statements bulk indexation failed". Appending is what an LRS on one file needs (the backend
supports it), so this sets it before the API is imported; nothing else of Ralph is changed.
Ralph's duplicate handling (a statement id it holds is answered, not stored again) is its own.

Usage: python ralph_server.py PORT (settings from RALPH_* environment variables).
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="info")
