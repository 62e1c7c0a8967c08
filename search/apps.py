import oscar.apps.search.apps as apps


class SearchConfig(apps.SearchConfig):
    """Oscar's search, forked so ``/shop/search/`` uses the ORM search of ``catalogue``."""

    name = "search"
