"""Django's cached_db sessions, reading the page tree's content version in the same round trip.

Every logged-in page reads its session from the cache first and, a moment later, the content
version (``pagetree.services.content_version``: routing, the outline and every answer kept under
the version ask for it). Both are plain cache keys of the default cache, so the session's read
asks for both in one ``get_many`` and hands the version to the request
(``provide_content_version``): a student's page makes one round trip for the two instead of two.

Everything else is Django's ``cached_db`` backend as it is: a session missing from the cache is
read from the database and put back, and while Redis is down the fail-open cache
(``portal.cache``) answers no session from its per-process fallback, so sessions come from the
database every time.
"""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBSessionStore

from pagetree.services import CONTENT_VERSION_KEY, provide_content_version


class SessionStore(CachedDBSessionStore):
    def load(self):
        try:
            found = self._cache.get_many([self.cache_key, CONTENT_VERSION_KEY])
        except Exception:  # as Django's: a backend refusing the key resets the session
            found = {}
        provide_content_version(found.get(CONTENT_VERSION_KEY))
        data = found.get(self.cache_key)
        if data is None:
            s = self._get_session_from_db()
            if s:
                data = self.decode(s.session_data)
                self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=s.expire_date))
            else:
                data = {}
        return data
