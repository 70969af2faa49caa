"""The fetcher against the test site: SSRF guard, robots.txt, rate limits, retries, timeouts, redirects."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpcore
import pytest
from articles import MAYADIN, page_html
from testsite import Flaky, Redirect, Static, TestSite, Trickle

from connectors.fetch import Fetcher, Response
from connectors.models import Source
from connectors.netguard import GuardedBackend, PrivateAddressError, is_public_address
from raqib.settings import Settings

PUBLIC_IP = "93.184.216.34"  # stands for a public server; the test backend sends its traffic to 127.0.0.1


class LoopbackBackend(httpcore.AnyIOBackend):
    """Sockets that reach the test site when asked for PUBLIC_IP (the resolver gives names that address)."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        """Connect to 127.0.0.1 instead of PUBLIC_IP."""
        target = "127.0.0.1" if host == PUBLIC_IP else host
        return await super().connect_tcp(target, port, timeout, local_address, socket_options)


def fake_dns(table: dict[str, list[str]]) -> Callable[[str, int], Any]:
    """A resolver answering from `table` (names not in it resolve to themselves, as IP literals do)."""

    async def resolve(host: str, port: int) -> list[str]:
        return table.get(host, [host])

    return resolve


def get(settings: Settings, url: str, **fetcher_args: Any) -> Response:
    """One GET with a fresh fetcher."""

    async def go() -> Response:
        async with Fetcher(settings, **fetcher_args) as fetcher:
            return await fetcher.get(url)

    return asyncio.run(go())


def test_private_address_refused_without_a_request(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """With allow_private_addresses false, 127.0.0.1 is never contacted."""
    test_site.add("/page", Static(page_html(MAYADIN)))
    response = get(make_settings(allow_private_addresses=False), test_site.url("/page"))
    assert response.reason == "private_address"
    assert test_site.requests == []
    assert get(make_settings(), test_site.url("/page")).reason == "ok"


def test_redirect_to_private_address_refused(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """A public page that redirects to a loopback address is followed no further."""
    test_site.add("/go", Redirect(test_site.url("/secret")))
    test_site.add("/secret", Static("secret"))
    settings = make_settings(allow_private_addresses=False)
    url = f"http://news.example:{test_site.port}/go"
    dns = fake_dns({"news.example": [PUBLIC_IP]})
    response = get(settings, url, resolver=dns, network_backend=LoopbackBackend())
    assert response.reason == "private_address"
    assert test_site.count("/go") == 1 and test_site.count("/secret") == 0


def test_dns_answers_checked(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """A name with one private answer among public ones is refused; so is a name that rebinds after the check."""
    test_site.add("/page", Static(page_html(MAYADIN)))
    settings = make_settings(allow_private_addresses=False)
    mixed = fake_dns({"mixed.example": [PUBLIC_IP, "10.0.0.7"]})
    response = get(settings, f"http://mixed.example:{test_site.port}/page", resolver=mixed,
                   network_backend=LoopbackBackend())
    assert response.reason == "private_address"
    calls = {"n": 0}

    async def rebinding(host: str, port: int) -> list[str]:
        calls["n"] += 1
        return [PUBLIC_IP] if calls["n"] <= 2 else ["127.0.0.1"]  # the two pre-checks pass; the connect must not

    response = get(settings, f"http://rebind.example:{test_site.port}/page", resolver=rebinding,
                   network_backend=LoopbackBackend())
    assert response.reason == "private_address" and calls["n"] >= 3
    assert test_site.requests == []
    ok = get(settings, f"http://good.example:{test_site.port}/page", resolver=fake_dns({"good.example": [PUBLIC_IP]}),
             network_backend=LoopbackBackend())
    assert ok.reason == "ok" and test_site.count("/page") == 1


def test_guarded_backend_refuses_by_itself() -> None:
    """The connection layer enforces the rule even when called directly."""
    backend = GuardedBackend(False, resolver=fake_dns({"intranet": ["192.168.1.1"]}))
    with pytest.raises(PrivateAddressError):
        asyncio.run(backend.connect_tcp("intranet", 80, timeout=1))
    for address in ("127.0.0.1", "10.1.1.1", "169.254.169.254", "::1", "fe80::1", "224.0.0.1", "0.0.0.0",
                    "::ffff:127.0.0.1", "100.64.0.1", "192.0.2.1", "not an ip"):
        assert not is_public_address(address), address
    assert is_public_address(PUBLIC_IP) and is_public_address("2606:4700::1111")


def test_redirect_rules(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """Redirects are followed up to the limit; too many, or to another scheme, are refused."""
    test_site.add("/article", Static(page_html(MAYADIN)))
    for i in range(8):
        test_site.add(f"/r{i}", Redirect(f"/r{i + 1}" if i < 7 else "/article", status=301))
    settings = make_settings(max_redirects=3)
    assert get(settings, test_site.url("/r5")).reason == "ok"
    assert get(settings, test_site.url("/r0")).reason == "too_many_redirects"
    test_site.add("/to-file", Redirect("file:///etc/passwd"))
    assert get(settings, test_site.url("/to-file")).reason == "bad_scheme"


def test_robots_server_error_forbids_the_host(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """robots.txt answering 5xx means nothing on the host is fetched this run; 404 means all is allowed."""
    test_site.add("/robots.txt", Static("down", status=503))
    test_site.add("/page", Static(page_html(MAYADIN)))
    assert get(make_settings(max_retries=0), test_site.url("/page")).reason == "robots_unavailable"
    assert test_site.count("/page") == 0
    del test_site.routes["/robots.txt"]
    assert get(make_settings(), test_site.url("/page")).reason == "ok"


def test_crawl_delay_spaces_requests(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """Crawl-delay: 1 keeps requests to the host a second apart, even with a high rate limit."""
    test_site.add("/robots.txt", Static("User-agent: raqib\nCrawl-delay: 1\nDisallow:\n", content_type="text/plain"))
    for i in range(3):
        test_site.add(f"/p{i}", Static(page_html(MAYADIN)))
    source = Source("s", "page", test_site.url("/p0"))

    async def go() -> None:
        async with Fetcher(make_settings()) as fetcher:
            await fetcher.fetch_documents(source, [test_site.url(f"/p{i}") for i in range(3)])

    asyncio.run(go())
    times = sorted(r.at for r in test_site.requests if r.path.startswith("/p"))
    assert len(times) == 3
    assert all(b - a >= 0.9 for a, b in itertools.pairwise(times)), times


def test_retry_after_is_honoured(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """A 429 with Retry-After: 1 is retried after about a second and then succeeds."""
    test_site.add("/busy", Flaky(1, Static(page_html(MAYADIN)), status=429, headers={"Retry-After": "1"}))
    response = get(make_settings(), test_site.url("/busy"))
    assert response.reason == "ok"
    first, second = test_site.requests_for("/busy")
    assert second.at - first.at >= 0.9


def test_transient_500_then_success(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """Two 500s then a page: retried with backoff, the page is fetched."""
    test_site.add("/flaky", Flaky(2, Static(page_html(MAYADIN))))
    assert get(make_settings(max_retries=2), test_site.url("/flaky")).reason == "ok"
    assert test_site.count("/flaky") == 3


def test_trickling_body_is_cut_at_the_deadline(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """A body that never ends but always sends something in time is cut by the overall deadline."""
    test_site.add("/trickle", Trickle(interval=0.1))
    started = time.monotonic()
    response = get(make_settings(total_timeout=1.5, max_retries=0), test_site.url("/trickle"))
    elapsed = time.monotonic() - started
    assert response.reason == "timeout"
    assert 1.4 <= elapsed < 5


def test_connection_refused_is_a_record(make_settings: Callable[..., Settings]) -> None:
    """A closed port gives connect_error after the retries, never an exception."""
    with TestSite() as site:
        url = site.url("/x")
    assert get(make_settings(max_retries=1), url).reason in ("connect_error", "robots_unavailable")


def test_last_modified_conditional_get(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """If-Modified-Since is sent from the stored validator and 304 becomes not_modified."""
    stamp = "Tue, 05 Mar 2024 09:00:00 GMT"
    test_site.add("/feed", Static("<rss/>", content_type="application/rss+xml", last_modified=stamp))

    async def go() -> Response:
        async with Fetcher(make_settings()) as fetcher:
            return await fetcher.get(test_site.url("/feed"), validators={"last_modified": stamp})

    assert asyncio.run(go()).reason == "not_modified"
    assert test_site.requests_for("/feed")[0].headers["if-modified-since"] == stamp


def test_rate_limit_holds_across_processes(test_site: TestSite, make_settings: Callable[..., Settings],
                                           tmp_path: Path) -> None:
    """Two processes sharing a state directory together stay under the per-host rate."""
    for i in range(6):
        test_site.add(f"/q{i}", Static(page_html(MAYADIN)))
    test_site.add("/robots.txt", Static("", content_type="text/plain"))
    state_dir = tmp_path / "shared-state"
    script = textwrap.dedent(f"""
        import asyncio, sys
        from pathlib import Path
        from connectors.fetch import Fetcher
        from raqib.settings import Settings
        async def main():
            settings = Settings(state_dir=Path({str(state_dir)!r}), rate_limit_per_host=4.0,
                                allow_private_addresses=True)
            async with Fetcher(settings) as fetcher:
                for path in sys.argv[1:]:
                    await fetcher.get({test_site.base_url!r} + path)
        asyncio.run(main())
    """)
    root = Path(__file__).resolve().parents[2]
    procs = [subprocess.Popen([sys.executable, "-c", script, *paths], cwd=root)
             for paths in (["/q0", "/q1", "/q2"], ["/q3", "/q4", "/q5"])]
    for proc in procs:
        assert proc.wait(timeout=60) == 0
    times = sorted(r.at for r in test_site.requests)  # robots.txt counts: it is a request to the host too
    assert len(times) == 8
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Slots are 0.25 s apart when sent; arrival adds scheduling jitter on a busy machine, so check the span:
    # without the shared limit, the two processes would run side by side and finish within about 0.8 s.
    assert times[-1] - times[0] >= 7 * 0.25 * 0.9, gaps
