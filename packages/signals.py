"""Domain signals of the packages app, sent as ``courses.signals`` describes (after commit, robustly).

Other apps import this module (it is public); they never send these signals.
"""

from django.dispatch import Signal

#: An H5P activity emitted an xAPI statement (H5P's own: answered, completed, interacted...).
#: Sent with ``sender=Attempt`` and ``attempt``, ``user``, ``lesson``, ``course``, ``package`` and
#: ``statement`` (the statement as H5P made it; its actor is H5P's placeholder, never the user's).
h5p_statement = Signal()
