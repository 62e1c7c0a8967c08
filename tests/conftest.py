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


@pytest.fixture(scope="session", autouse=True)
def _keep_migration_data_for_the_next_run(django_db_setup, django_db_blocker):
    """Put back what migrations loaded once the session ends.

    Live-server (browser) tests flush every table; ``serialized_rollback`` restores
    the communes, Wagtail's pages and the like before each such test, but not after
    the last one, and ``--reuse-db`` would start the next run without them.
    """
    yield
    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
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
