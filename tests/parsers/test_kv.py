"""parsers.kv: the key=value reader shared by FortiGate, SonicWall and Sophos XG."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from seclake.parsers import kv
from tests.parsers.checks import utc

DOUBLE, SINGLE = kv.Syntax(), kv.Syntax(single_quotes=True)


def _read(lines: list[str], keys: list[str], syntax: kv.Syntax = DOUBLE) -> list[dict[str, Any]]:
    frame = kv.read_keys(pl.DataFrame({"p": lines}), "p", keys, syntax)
    return frame.select(kv.column(k) for k in keys).rename({kv.column(k): k for k in keys}).to_dicts()


def test_values_are_unquoted_unescaped_and_empty_is_null() -> None:
    rows = _read(
        ['a=1 b="two words" c="say \\"hi\\"" d= e="" f=x=y', "b=only"],
        ["a", "b", "c", "d", "e", "f", "g"],
    )
    assert rows == [
        {"a": "1", "b": "two words", "c": 'say "hi"', "d": None, "e": None, "f": "x=y", "g": None},
        {"a": None, "b": "only", "c": None, "d": None, "e": None, "f": None, "g": None},
    ]


def test_text_inside_quoted_values_is_never_a_field() -> None:
    lines = [
        'msg="x srcip=6.6.6.6 user=evil" srcip=10.0.0.1',  # hidden field before the real one
        'srcip=10.0.0.1 msg="x srcip=6.6.6.6"',  # after it
        'msg="only srcip=6.6.6.6 here"',  # no real one
        'msg="unterminated srcip=6.6.6.6',  # broken quote: nothing after it is trusted
        'msg="esc \\" srcip=6.6.6.6" srcip=10.0.0.2',  # an escaped quote does not end the value
        'junk"x msg="a srcip=6.6.6.6" srcip=10.0.0.3',  # a stray quote before
        'msg="srcip=6.6.6.6"',  # glued to the quote
    ]
    assert [r["srcip"] for r in _read(lines, ["srcip", "user"])] == [
        "10.0.0.1", "10.0.0.1", None, None, "10.0.0.2", "10.0.0.3", None,
    ]  # fmt: skip
    assert all(r["user"] is None for r in _read(lines, ["srcip", "user"]))


def test_single_quotes_quote_only_in_dialects_that_use_them() -> None:
    line = ["appName='General HTTPS' usr=O'Brien x='a srcip=6.6.6.6' srcip=10.0.0.4"]
    assert _read(line, ["appName", "usr", "srcip"], SINGLE) == [
        {"appName": "General HTTPS", "usr": "O'Brien", "srcip": "10.0.0.4"}
    ]
    assert _read(line, ["appName"], DOUBLE) == [{"appName": "'General"}]


def test_a_line_flawed_near_its_end_is_read_from_its_plain_head_then_by_the_walk() -> None:
    """A stray quote glued to a value ends the plain head: keys before it are read the fast way,
    a key after it only by walking whole tokens (which stops at the malformed token: lost, never
    invented), and a key hidden in a quoted value before it is still not a field."""
    lines = [
        'a=1 b="x"y c=3',  # b's quoted value has text glued to it: c lies after a malformed token
        'msg="p q=1" q=2',  # q inside the quoted value is not the field; the real q is
        'a=1 msg="p a=9 q=8" z=5 t="x"y',  # flawed near the end: a and z from the head
        'a=1 t="x"y q=7',  # q only in the rest, after the malformed token
    ]
    assert _read(lines, ["a", "b", "c", "q", "z", "t"]) == [
        {"a": "1", "b": "x", "c": None, "q": None, "z": None, "t": None},
        {"a": None, "b": None, "c": None, "q": "2", "z": None, "t": None},
        {"a": "1", "b": None, "c": None, "q": None, "z": "5", "t": "x"},
        {"a": "1", "b": None, "c": None, "q": None, "z": None, "t": "x"},
    ]


def test_first_of_duplicate_keys_wins_and_bare_words_are_skipped() -> None:
    rows = _read(['msg="first" msg="second" ether_type=Unknown (0x0000) n=5'], ["msg", "ether_type", "n"])
    assert rows == [{"msg": "first", "ether_type": "Unknown", "n": "5"}]


def test_split_payload_and_envelopes() -> None:
    lines = pl.DataFrame(
        {
            "raw": [
                "<134>Jan  6 19:47:37 fw01 date=2021-01-06 time=1",
                "date=2021-01-06 time=1",
                "2018 Apr 09 16:03:37 mgr->1.2.3.4 date=x",
                "no payload here",
            ]
        }
    )
    frame = kv.split_payload(lines, ["date"])
    assert frame["_payload"].to_list() == ["date=2021-01-06 time=1", "date=2021-01-06 time=1", "date=x", None]
    envelopes = kv.read_envelopes(frame["_envelope"], "UTC", dt.date(2021, 1, 7))
    assert envelopes.row(0) == (134, utc("2021-01-06T19:47:37"), "fw01")
    assert envelopes.row(1) == (None, None, None)


def test_ip_validation() -> None:
    values = pl.Series(["10.0.0.1", "x.x.x.x", "21.259.351.45", "FE80::1", "0.0.0.0", "::", None])
    out = pl.select(kv.ip(pl.lit(values)), kv.not_ip(pl.lit(values)).alias("n"))
    assert out.to_series(0).to_list() == ["10.0.0.1", None, None, "fe80::1", None, None, None]
    assert out["n"].to_list() == [None, "x.x.x.x", "21.259.351.45", None, None, None, None]
