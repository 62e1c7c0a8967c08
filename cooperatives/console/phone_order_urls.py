"""Console URLs (see cooperatives/console/__init__.py)."""

urlpatterns: list = []
