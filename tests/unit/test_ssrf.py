"""The SSRF guard (cairn.integrations.ssrf): https to public hosts only, every resolved address checked, the
local stack's loopback fakes allowed only when the setting says so."""

from __future__ import annotations

import pytest

from cairn.core.errors import InvalidInput
from cairn.integrations import ssrf

PUBLIC = "93.184.215.14"


@pytest.fixture
def dns():
    answers: dict[str, list[str]] = {}
    previous = ssrf.use_resolver(lambda host, port: answers.get(host, []))
    yield answers
    ssrf.use_resolver(previous)


def refused(url, **options):
    with pytest.raises(InvalidInput) as raised:
        ssrf.check_url(url, field="baseUrl", **options)
    assert raised.value.field == "baseUrl"
    return raised.value.message


def test_a_public_https_host_is_admitted(dns):
    dns["acme.atlassian.net"] = [PUBLIC, "2606:4700::6810:84e5"]
    assert ssrf.check_url("https://acme.atlassian.net/", field="baseUrl", allow_local=False) == \
        "https://acme.atlassian.net"


@pytest.mark.parametrize("address", [
    "10.0.0.8", "172.16.3.4", "192.168.1.1", "127.0.0.1", "169.254.169.254", "169.254.10.10", "100.64.0.1",
    "0.0.0.0", "::1",  # noqa: S104 (an address refused, not bound)
    "fd00:ec2::254", "fe80::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "224.0.0.1",
])
def test_a_host_resolving_to_a_private_loopback_link_local_or_metadata_address_is_refused(dns, address):
    dns["evil.example"] = [address]
    assert "public host" in refused("https://evil.example", allow_local=False)


def test_every_resolved_address_is_checked(dns):
    dns["rebind.example"] = [PUBLIC, "10.1.2.3"]
    refused("https://rebind.example", allow_local=False)


@pytest.mark.parametrize("url", ["https://169.254.169.254/latest", "https://[fd00:ec2::254]/", "https://10.0.0.1",
                                 "https://[::1]:8443"])
def test_address_literals_are_checked_too(dns, url):
    dns.update({"169.254.169.254": ["169.254.169.254"], "fd00:ec2::254": ["fd00:ec2::254"],
                "10.0.0.1": ["10.0.0.1"], "::1": ["::1"]})
    refused(url, allow_local=False)


@pytest.mark.parametrize("url", ["http://acme.atlassian.net", "ftp://acme.atlassian.net", "file:///etc/passwd",
                                 "https://user:pw@acme.atlassian.net", "https://acme.atlassian.net/?x=1",
                                 "not a url", "https://", "https://acme.atlassian.net:99999"])
def test_only_plain_https_urls(dns, url):
    dns["acme.atlassian.net"] = [PUBLIC]
    refused(url, allow_local=False)


def test_an_unresolvable_host_is_refused(dns):
    assert "could not be resolved" in refused("https://nowhere.invalid", allow_local=False)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8123", "http://localhost:9000/api", "https://localhost"])
def test_the_local_stack_alone_allows_loopback_fakes(dns, url):
    assert ssrf.check_url(url, field="baseUrl", allow_local=True) == url.rstrip("/")
    refused(url, allow_local=False)


def test_the_setting_decides_by_default(dns, monkeypatch):
    from cairn.core.settings import get_settings

    assert get_settings().allow_local_urls is True  # the tests run as the local stack
    assert ssrf.check_url("http://127.0.0.1:1", field="baseUrl") == "http://127.0.0.1:1"
    monkeypatch.setenv("CAIRN_ALLOW_LOCAL_URLS", "false")
    get_settings.cache_clear()
    try:
        refused("http://127.0.0.1:1")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_the_connection_goes_to_a_checked_address(dns, monkeypatch):
    """DNS rebinding: the address connected to is resolved and checked at connect time."""
    dns["rebind.example"] = ["127.0.0.1"]
    connection = ssrf._PinnedHTTPSConnection("rebind.example", 443, timeout=1)
    with pytest.raises(OSError, match="no public address"):
        connection.connect()
    connected = []
    dns["rebind.example"] = [PUBLIC]
    monkeypatch.setattr(ssrf.socket, "create_connection", lambda address, timeout: connected.append(address)
                        or (_ for _ in ()).throw(OSError("stop")))
    with pytest.raises(OSError, match="stop"):
        connection.connect()
    assert connected == [(PUBLIC, 443)]


def test_the_default_is_never_local():
    from cairn.core.settings import Settings

    assert Settings.model_fields["allow_local_urls"].default is False
