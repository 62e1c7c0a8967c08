"""sorl-thumbnail's key-value store with a memo in each process of thumbnails already made.

sorl asks its store, for every thumbnail in a page, whether that thumbnail exists: a
Redis round trip each in production, four per product card (WebP and JPEG, at 1× and
2×), so about a hundred per product list. Once made, a thumbnail of a given source file
and options never changes (a new photo is a new file name), so each gunicorn process
remembers the answers it has seen. Deleting through sorl still forgets them; clearing
sorl's store with ``thumbnail clear`` needs the processes restarted to take effect.
"""

from sorl.thumbnail.kvstores import cached_db_kvstore

MAX_REMEMBERED = 50_000  # a few MB per process; far more thumbnails than the shop has

_remembered: dict[str, str] = {}


class KVStore(cached_db_kvstore.KVStore):
    def _get_raw(self, key):
        value = _remembered.get(key)
        if value is None:
            value = super()._get_raw(key)
            # Only images: a source's list of its thumbnails grows as they are made.
            if value is not None and "||image||" in key and len(_remembered) < MAX_REMEMBERED:
                _remembered[key] = value
        return value

    def _set_raw(self, key, value):
        super()._set_raw(key, value)
        _remembered.pop(key, None)

    def _delete_raw(self, *keys):
        super()._delete_raw(*keys)
        for key in keys:
            _remembered.pop(key, None)
