"""SSRF guard: every TCP connection resolves its host itself and refuses private, loopback and reserved addresses."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore

Resolver = Callable[[str, int], Awaitable[list[str]]]


class PrivateAddressError(Exception):
    """Raised when a connection would go to an address the settings forbid."""


class ResolveError(Exception):
    """Raised when a host name has no address."""


def is_public_address(address: str) -> bool:
    """True when an IP address is globally routable (not private, loopback, link-local, multicast or reserved)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return is_public_address(str(mapped))
        if ip.teredo is not None or ip.is_site_local:
            return False
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


async def system_resolve(host: str, port: int) -> list[str]:
    """Resolve a host name to all its addresses with the system resolver."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ResolveError(f"cannot resolve {host!r}: {exc}") from exc
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ResolveError(f"no address for {host!r}")
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Network backend that checks every DNS answer before connecting, and connects only to a checked address.

    Connecting to the address that was checked (not to the name again) closes the DNS-rebinding gap.
    """

    def __init__(
        self,
        allow_private: bool,
        inner: httpcore.AsyncNetworkBackend | None = None,
        resolver: Resolver = system_resolve,
    ) -> None:
        """Wrap `inner` (the default anyio backend when None)."""
        self.allow_private = allow_private
        self.inner = inner or httpcore.AnyIOBackend()
        self.resolver = resolver

    async def host_allowed(self, host: str) -> bool:
        """Check a host before any request to it (a clear reason early); connect_tcp still enforces it."""
        if self.allow_private or not host:
            return True
        try:
            addresses = await asyncio.wait_for(self.resolver(host.strip("[]"), 0), 10.0)
        except (ResolveError, TimeoutError):
            return True  # unresolvable names fail later, at connect time, with their own reason
        return all(is_public_address(a) for a in addresses)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve, check every answer, then connect to the first usable address."""
        try:
            addresses = await asyncio.wait_for(self.resolver(host, port), timeout)
        except ResolveError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host!r} timed out") from exc
        if not self.allow_private:
            refused = [a for a in addresses if not is_public_address(a)]
            if refused:
                # One private answer is enough to refuse: a name that mixes them is hostile or misconfigured.
                raise PrivateAddressError(f"{host} resolves to non-public address {refused[0]}")
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        """Unix sockets are never used by the fetcher."""
        raise PrivateAddressError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        """Delegate sleeping to the wrapped backend."""
        await self.inner.sleep(seconds)
