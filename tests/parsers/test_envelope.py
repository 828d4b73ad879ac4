"""Address ranges and direction (parsers/envelope.py): what counts as private, and the direction
every parser falls back to when the format does not say."""

from __future__ import annotations

import polars as pl
import pytest

from seclake.parsers.envelope import is_private_ip, range_direction


@pytest.mark.parametrize(
    ("ip", "private"),
    [
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("172.32.0.1", False),
        ("192.168.1.1", True),
        ("100.64.0.1", True),  # carrier-grade NAT
        ("100.128.0.1", False),
        ("169.254.1.1", True),
        ("224.0.0.251", True),  # multicast (mDNS)
        ("239.255.255.250", True),  # multicast (SSDP)
        ("240.0.0.1", False),
        ("255.255.255.255", True),  # limited broadcast (DHCP)
        ("0.0.0.0", True),
        ("0.1.2.3", True),  # "this network"
        ("8.8.8.8", False),
        ("22.4.1.1", False),  # starts like 224 but is public
        ("fe80::1", True),
        ("fd00::1", True),
        ("ff02::fb", True),  # IPv6 multicast (mDNS)
        ("ff05::1:3", True),
        ("::1", True),
        ("::", True),
        ("2001:db8::1", False),
        ("ffaa.example.com", False),
    ],
)
def test_private_ranges(ip: str, private: bool) -> None:
    assert pl.select(is_private_ip(pl.lit(ip))).item() is private


def test_direction_from_ranges() -> None:
    pairs = pl.DataFrame(
        {
            "src": ["10.0.0.5", "10.0.0.5", "8.8.8.8", "8.8.8.8", "fe80::1", None],
            "dst": ["10.0.0.6", "8.8.8.8", "10.0.0.5", "1.1.1.1", "ff02::fb", "8.8.8.8"],
        }
    )
    directions = pairs.select(range_direction(pl.col("src"), pl.col("dst"))).to_series().to_list()
    assert directions == ["internal", "outbound", "inbound", "unknown", "internal", "unknown"]
