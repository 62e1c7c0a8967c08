import io

import pytest
from django.core.management import call_command


@pytest.fixture
def demo_store(db):
    """The demo store of ``load_demo_data``, loaded once for the test."""
    call_command("load_demo_data", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _vietnamese(settings):
    """Each test starts in the shop's default language."""
    settings.LANGUAGE_CODE = "vi"
