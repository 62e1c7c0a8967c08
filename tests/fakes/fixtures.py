"""pytest fixtures for the fakes. Import them into a conftest.py to use them::

from tests.fakes.fixtures import fake_stripe, loopback_only, stripe_client  # noqa: F401
"""

from collections.abc import Iterator

import pytest
import stripe

from tests.fakes import network
from tests.fakes.stripe_api import FakeStripe


@pytest.fixture
def loopback_only() -> Iterator[None]:
    """Fail the test if anything tries to reach a host other than this machine."""
    with network.loopback_only():
        yield


@pytest.fixture
def fake_stripe(loopback_only) -> Iterator[FakeStripe]:
    """A started ``FakeStripe``; stopped (and its thread joined) after the test."""
    with FakeStripe() as fake:
        yield fake
    assert not fake.errors, "FakeStripe hit a bug in itself:\n" + "\n".join(fake.errors)


@pytest.fixture
def stripe_client(fake_stripe: FakeStripe) -> stripe.StripeClient:
    """A real ``stripe.StripeClient`` whose every base address is the fake."""
    return fake_stripe.client()
