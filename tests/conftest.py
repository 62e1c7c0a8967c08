import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections


@pytest.fixture
def demo_store(db):
    """The demo store of ``load_demo_data``, loaded once for the test."""
    call_command("load_demo_data", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _vietnamese(settings):
    """Each test starts in the shop's default language."""
    settings.LANGUAGE_CODE = "vi"


# What migrations loaded (communes, the shipping country, Wagtail's pages), as Django
# serialised it for ``serialized_rollback`` when it created the test database.
_MIGRATION_DATA: dict[str, str] = {}


def _migration_data_reachable() -> None:
    for alias, contents in _MIGRATION_DATA.items():
        connection = connections[alias]
        if not hasattr(connection, "_test_serialized_contents"):
            connection._test_serialized_contents = contents


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item):
    # The flush after a live-server test must also know the data will be reloaded, or
    # it lets post_migrate recreate content types that the reload then duplicates.
    _migration_data_reachable()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Keep Django's serialised migration data reachable from every test.

    Django keeps it on the connection object, and connection objects live in a
    context-local store. Playwright's sync API (browser tests) switches this thread's
    context for the rest of the session, after which ``connections`` hands out fresh
    objects without the data: the next ``serialized_rollback`` test then starts on an
    empty database (no communes, no shipping country).
    """
    _migration_data_reachable()


@pytest.fixture(scope="session", autouse=True)
def _keep_migration_data_for_the_next_run(django_db_setup, django_db_blocker):
    """Put back what migrations loaded once the session ends.

    Live-server (browser) tests flush every table; ``serialized_rollback`` restores
    the communes, Wagtail's pages and the like before each such test, but not after
    the last one, and ``--reuse-db`` would start the next run without them.
    """
    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            _MIGRATION_DATA[connection.alias] = contents
    yield
    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = _MIGRATION_DATA.get(connection.alias)
            if contents:
                # Empty first, without post_migrate refilling content types, then reload.
                call_command(
                    "flush",
                    database=connection.alias,
                    interactive=False,
                    inhibit_post_migrate=True,
                    verbosity=0,
                )
                connection.creation.deserialize_db_from_string(contents)
                # Reloaded rows keep their ids; move PostgreSQL's sequences past them.
                statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
                with connection.cursor() as cursor:
                    for statement in statements:
                        cursor.execute(statement)


@pytest.fixture
def page_cache_on(settings):
    """The page cache as production runs it (the suite's settings turn it off)."""
    from django.core.cache import cache

    from shop import page_cache

    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    page_cache._nearby.forget()
    yield
    cache.clear()
    page_cache._nearby.forget()
