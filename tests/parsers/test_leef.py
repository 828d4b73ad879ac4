"""LEEF parser: the Panda Adaptive Defense corpus (``panda/wazuh/panda_paps.ini``: accounting,
hand-checked values, golden file) and the format notes' samples for LEEF 2.0 delimiters, the
PAN-OS ``|`` variant, the space-separated variant and ``devTime``/``devTimeFormat``."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

import polars as pl
import pytest

from seclake.parsers import leef
from seclake.parsers.contract import ParseContext
from tests.corpus import corpus_files, corpus_lines
from tests.parsers.checks import (
    check,
    check_every_line_is_an_event,
    events,
    lines_frame,
    name,
    parse_events,
    utc,
)
from tests.parsers.golden import check_golden

CTX = ParseContext(org="acme", source="edr", date=dt.date(2026, 1, 23), timezone="UTC")
FILES = corpus_files("panda")


_name = partial(name, folders=2)


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_every_corpus_line_is_an_event(path: Path) -> None:
    result = check_every_line_is_an_event(leef, path, CTX)
    assert set(result.events["vendor"].to_list()) == {"Panda Security"}


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_golden(path: Path, update_golden: bool) -> None:
    check_golden(leef.parse(corpus_lines(path), CTX), "leef", _name(path), update_golden)


def test_panda_values_checked_by_hand() -> None:
    rows = events(leef.parse(corpus_lines(FILES[0]), CTX))
    check(rows[0], {
        "time": utc("2019-05-09T22:03:58.692466"), "vendor": "Panda Security", "product": "paps",
        "message_id": "registrym", "severity": "low", "vendor_severity": "1", "user": "SYSTEM",
        "extra.domain": "NT AUTHORITY", "src_ip": "192.168.0.8", "host": "13_2595_43",
        "file_hash": "e60a27aaeb184aabd9c92c513b27f98a",
        "file_path": "PROGRAM_FILES_COMMONX86|\\Quest\\Privilege Manager\\Client\\CSEHost.exe",
        "extra.RegKey": "\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\services\\eventlog\\Application\\GPE Alert"
        "?EventMessageFile",
        "extra.Cat": "Goodware", "extra.Op": "ModifyExeKey", "event_class": "system", "action": "other",
        "malware_name": None, "direction": None,
    })  # fmt: skip
    assert [r["severity"] for r in rows[1:5]] == ["low", "medium", "high", "critical"]
    check(rows[5], {
        "time": utc("2019-05-09T22:07:36.130735"), "message_id": "exec", "user": "hsmartin",
        "extra.domain": "PROSAMX", "host": "16_2470_21", "vendor_action": "Allow",
        "file_path": "PROGRAM_FILESX86|\\Google\\Chrome\\Application\\chrome.exe",
        "file_hash": "7e160844d950765356c84bcbcfbf1dee",
        "extra.Params": '"C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe" --type=renderer'
        " --field-trial-handle=1716,6504423765877186287,9579056321151338165,131072 --service-pipe-token"
        "=11343697476573359606 --lang=es --extension-process --enable-offline-auto-reload --enable-offline-auto"
        "-reload-visible-only --device-scale-factor=1 --num-raster-threads=4 --enable-main-frame-before-activation"
        " --service-request-channel-token=11343697476573359606 --renderer-client-id=629"
        " --no-v8-untrusted-code-mitigations --mojo-platform-channel-handle=17588 /prefetch:1",
    })  # fmt: skip
    check(rows[6], {"message_id": "createdir", "file_path": "SYSTEM|\\spool\\V4Dirs\\5F1D9A23-55FC-420A-84EC-E78F46C362E2",
                    "file_hash": None, "extra.ChildCat": "Unknown"})  # fmt: skip


def test_panda_malware_detection() -> None:
    row = parse_events(leef, [
        "LEEF:1.0|Panda Security|paps|02.47.00.0000|exec|sev=9\tdevTime=2026-01-22 10:00:00.000000\t"
        "devTimeFormat=yyyy-MM-dd HH:mm:ss.SSS\tusrName=jdoe\tsrc=10.2.3.4\tHostName=PC-01\tChildHash=AB12AB12AB12AB12"
        "AB12AB12AB12AB12\tChildPath=TEMP|\\x.exe\tChildCat=Malware\tChildMWName=Trj/GdSda.A\tAction=Block",
    ], CTX)[0]  # fmt: skip
    check(row, {
        "event_class": "malware_detection", "action": "blocked", "malware_name": "Trj/GdSda.A", "host": "pc-01",
        "src_ip": "10.2.3.4", "file_path": "TEMP|\\x.exe", "file_hash": "ab12ab12ab12ab12ab12ab12ab12ab12",
        "time": utc("2026-01-22T10:00:00"), "severity": "critical",
    })  # fmt: skip


def test_delimiters_and_variants() -> None:
    rows = parse_events(leef, [
        "LEEF:2.0|Vendor|Product|Version|EventID|0x5E|src=192.0.2.10^dst=172.50.123.1^sev=5^cat=anomaly^srcPort=81"
        "^dstPort=21^usrName=joe.black",
        "LEEF:2.0|Vendor|Product|Version|EventID|^|src=198.51.100.1^dst=10.0.0.1^devTime=Jan 20 2026 10:00:00.000 EST"
        "^devTimeFormat=MMM dd yyyy HH:mm:ss.SSS z",
        "LEEF:2.0|Vendor|Product|Version|EventID|x09|src=10.0.0.1\tdevTime=1769069700000\tsrcBytes=10\tdstBytes=20",
        "LEEF:2.0|Vendor|Product|Version|EventID||src=10.0.0.9\tsrcPostNAT=203.0.113.5",
        "LEEF:1.0|Palo Alto Networks|PAN-OS Syslog Integration|8.1.8|allow|cat=TRAFFIC|ReceiveTime=2020/09/03 09:54:59"
        "|SerialNumber=012345678912|Type=TRAFFIC|Subtype=end|devTime=Sep 03 2020 14:54:59 GMT|src=1.1.1.1|dst=10.1.1.1",
        "<13>Jan 22 10:00:00 myhost LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.0 dst=172.50.123.1 sev=5"
        " cat=anomaly srcPort=81 dstPort=21 usrName=joe.black",
        "LEEF:1|Vendor|Product|1|id|sev=5cat=anomaly\tsrc=10.0.0.1\tmsg=a \\= b",
        "LEEF:1.0|Vendor|Product|1|id|devTime=22/01/2026 08:15:00\tdevTimeFormat=dd/MM/yyyy HH:mm:ss",
    ], CTX)  # fmt: skip
    check(rows[0], {"src_ip": "192.0.2.10", "dst_ip": "172.50.123.1", "src_port": 81, "dst_port": 21,
                    "user": "joe.black", "severity": "medium", "extra.cat": "anomaly", "extra.leef_version": "2.0"})  # fmt: skip
    check(rows[1], {"time": utc("2026-01-20T15:00:00"), "src_ip": "198.51.100.1", "direction": "inbound"})
    check(rows[2], {"time": utc("2026-01-22T08:15:00"), "bytes_out": 10, "bytes_in": 20, "bytes_total": 30})
    check(rows[3], {"src_ip": "10.0.0.9", "nat_src_ip": "203.0.113.5"})
    check(rows[4], {"time": utc("2020-09-03T14:54:59"), "message_id": "allow", "extra.Type": "TRAFFIC",
                    "extra.ReceiveTime": "2020/09/03 09:54:59", "dst_ip": "10.1.1.1"})  # fmt: skip
    check(
        rows[5], {"time": utc("2026-01-22T10:00:00"), "device": "myhost", "src_port": 81, "user": "joe.black"}
    )
    check(
        rows[6],
        {"vendor_severity": "5cat=anomaly", "severity": None, "src_ip": "10.0.0.1", "message": "a = b"},
    )
    check(rows[7], {"time": utc("2026-01-22T08:15:00")})


def test_quarantine_and_sniff() -> None:
    result = leef.parse(lines_frame(["hello", "LEEF:1.0|V|P|1"]), CTX)
    assert result.quarantine["reason"].to_list() == [leef.NO_HEADER, leef.SHORT_HEADER]
    lines = pl.Series(["LEEF:1.0|Panda Security|paps|1|exec|sev=1", "x LEEF:2.0|V|P|1|e|^|a=b",
                       "CEF:0|V|P|1|2|n|3|a=b", "LEEF is a format"])  # fmt: skip
    assert leef.sniff(lines).to_list() == [True, True, False, False]
