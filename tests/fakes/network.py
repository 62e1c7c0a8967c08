"""Refuse network traffic that leaves the machine while a test runs.

``loopback_only()`` patches the socket module so that connecting to, or resolving, anything
other than a loopback address raises ``ExternalNetworkBlocked`` before a packet is sent. Local
fakes (``FakeStripe`` on 127.0.0.1) keep working; a client that still points at
api.stripe.com, or an HTTP(S) proxy taken from the environment, fails loudly instead.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class ExternalNetworkBlocked(AssertionError):
    """A test tried to reach a host that is not this machine."""


def _is_loopback(host: object) -> bool:
    if host is None:  # getaddrinfo(None, port): the wildcard/loopback address
        return True
    if isinstance(host, bytes):
        host = host.decode("idna")
    if not isinstance(host, str):
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _check_address(address: object) -> None:
    if isinstance(address, str | bytes):  # AF_UNIX socket path
        return
    if isinstance(address, tuple) and address and _is_loopback(address[0]):
        return
    raise ExternalNetworkBlocked(f"test tried to connect to {address!r}; only loopback is allowed")


@contextmanager
def loopback_only() -> Iterator[None]:
    """Within the block, only loopback connections and look-ups are allowed."""
    cls = socket.socket
    saved = {name: cls.__dict__.get(name) for name in ("connect", "connect_ex")}
    real_connect, real_connect_ex = cls.connect, cls.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        _check_address(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        _check_address(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_loopback(host):
            raise ExternalNetworkBlocked(
                f"test tried to resolve {host!r}; only loopback is allowed"
            )
        return real_getaddrinfo(host, *args, **kwargs)

    cls.connect, cls.connect_ex = connect, connect_ex
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.getaddrinfo = real_getaddrinfo
        for name, original in saved.items():
            if original is None:
                delattr(cls, name)
            else:
                setattr(cls, name, original)
