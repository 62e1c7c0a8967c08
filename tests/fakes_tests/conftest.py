from tests.fakes.fixtures import fake_stripe, loopback_only, stripe_client  # noqa: F401
