"""Kaspersky Security Center SIEM export: CEF and LEEF (through ``cef``/``leef``) and Syslog
(``kaspersky``).

The corpus has **no Kaspersky line**. The test lines below are **built from the field lists** of
``../shared/formats/kaspersky.md``: the two CEF samples of the notes as published (TaskState
"Uninstall EDR"; the SC4S escaped-``=`` line) and the Syslog sample's layout; every other line is
composed from the notes' event-type table (GNRL_EV_*), CEF extension slots (``rt``, ``dhost``,
``dst``, ``duser``, ``cs1`` VirusName, ``cs2`` ProductName, ``cs5`` ObjectName, ``cs10`` TaskName,
``cn2`` TaskNewState...) and the Syslog ``event@23668`` keys. The LEEF attribute names are an
assumption (the notes found no KSC LEEF sample): the CEF keys and labelled slots, tab-separated.
"Databases are outdated" has no verified event id in the notes: the line uses the notes' example
product-specific id ``000000cb`` and is classified from its English display name.
"""

from __future__ import annotations

import datetime as dt

import pytest

from seclake.parsers import cef, kaspersky, leef
from seclake.parsers.contract import ParseContext
from tests.parsers.checks import check, lines_frame, parse_events, utc
from tests.parsers.golden import check_golden

CTX = ParseContext(org="acme", source="ksc", date=dt.date(2026, 1, 23), timezone="Europe/Moscow")
HEAD = "<134>1 2026-01-22T08:15:05Z ksc01 KES|11.0.0.0 - {id} - "
EPOCH = "1769069700000"  # 2026-01-22T08:15:00Z
SHA = "275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F"


def _cef(event_id: str, name: str, severity: int, extension: str) -> str:
    return (
        HEAD.format(id=event_id[:32])
        + f"CEF:0|KasperskyLab|SecurityCenter|13.2.0.1511|{event_id}|{name}|{severity}|{extension}"
    )


def _detection(event_id: str, name: str, result: str) -> str:
    return _cef(event_id, name, 4, (
        f"rt={EPOCH} dhost=WS-ACC-07 dst=10.20.30.47 duser=CORP\\\\jdoe cs1=HEUR:Trojan.Win32.Generic cs1Label=VirusName"
        " cs2=KES cs2Label=ProductName cs3=11.0.0.0 cs3Label=ProductVersion"
        " filePath=C:\\\\Users\\\\jdoe\\\\Downloads\\\\invoice.exe"
        f" msg=Result: {result}: HEUR:Trojan.Win32.Generic\\r\\nUser: CORP\\\\jdoe (Initiator)\\r\\nSHA256: {SHA}\\r\\n"
    ))  # fmt: skip


DETECTIONS = [
    ("GNRL_EV_VIRUS_FOUND", "Malicious object detected", "Detected", "detected"),
    ("GNRL_EV_SUSPICIOUS_OBJECT_FOUND", "Probably infected object detected", "Detected", "detected"),
    ("GNRL_EV_VIRUS_FOUND_AND_BLOCKED", "Threat detected and blocked", "Blocked", "blocked"),
    ("GNRL_EV_OBJECT_CURED", "Object disinfected", "Disinfected", "cleaned"),
    ("GNRL_EV_OBJECT_DELETED", "Object deleted", "Deleted", "deleted"),
    ("GNRL_EV_OBJECT_QUARANTINED", "Object moved to quarantine", "Quarantined", "quarantined"),
    ("GNRL_EV_OBJECT_NOTCURED", "Object not disinfected", "Not disinfected", "failed"),
    ("GNRL_EV_PASSWD_ARCHIVE_FOUND", "Password-protected archive found", "Detected", "detected"),
    ("GNRL_EV_APPLICATION_LAUNCH_DENIED", "Application startup prohibited", "Blocked", "blocked"),
]


@pytest.mark.parametrize(("event_id", "name", "result", "action"), DETECTIONS, ids=[d[0] for d in DETECTIONS])
def test_cef_detections(event_id: str, name: str, result: str, action: str) -> None:
    (row,) = parse_events(cef, [_detection(event_id, name, result)], CTX)
    check(row, {
        "vendor": "Kaspersky", "product": "KES", "extra.device_product": "SecurityCenter", "message_id": event_id,
        "event_class": "malware_detection", "action": action, "vendor_action": name, "severity": "medium",
        "time": utc("2026-01-22T08:15:00"), "host": "ws-acc-07", "src_ip": "10.20.30.47", "dst_ip": None,
        "user": "CORP\\jdoe", "malware_name": "HEUR:Trojan.Win32.Generic", "device": "ksc01",
        "file_path": "C:\\Users\\jdoe\\Downloads\\invoice.exe", "file_hash": SHA.lower(),
        "extra.product_version": "11.0.0.0", "extra.event_name": name,
    })  # fmt: skip
    assert row["message"].startswith(f"Result: {result}: HEUR:Trojan.Win32.Generic\r\nUser: CORP\\jdoe")


def test_cef_web_block_with_signature_date() -> None:
    (row,) = parse_events(cef, [_cef("GNRL_EV_VIRUS_FOUND_AND_BLOCKED", "Dangerous link blocked", 4, (
        f"rt={EPOCH} dhost=SERVER01 dst=10.1.1.9 cs9=SERVER01 cs9Label=GroupName cs10=Web Threat Protection"
        ' cs10Label=TaskName cs7={"engine":3,"method":5} cs7Label=ExtraAttrib cs5=https://www.example.com/favicon.ico'
        " cs5Label=ObjectName cs1=HEUR:Trojan.Script.Generic cs1Label=VirusName"
        " msg=Event type: Dangerous link blocked\\r\\nResult\\\\Description: Blocked\\r\\n"
        "Database release date: 01/09/2021 15:34:10"
    ))], CTX)  # fmt: skip
    check(row, {
        "action": "blocked", "file_path": "https://www.example.com/favicon.ico", "rule_name": "Web Threat Protection",
        "extra.extra_attrib": '{"engine":3,"method":5}', "extra.group_name": "SERVER01",
        "extra.signature_date": "2021-09-01 15:34:10", "host": "server01",
    })  # fmt: skip


def test_cef_task_states_and_health() -> None:
    rows = parse_events(cef, [
        # the notes' sample 2, as published
        "CEF:0|KasperskyLab|SecurityCenter|13.2.0.1511|KLPRCI_TaskState|Completed successfully|1|rt=1647626887000"
        " cs9=site location Bldg cs9Label=GroupName dhost=WS6465 dst=10.55.203.12 cs2=KES cs2Label=ProductName"
        " cs3=11.0.0.0 cs3Label=ProductVersion cs10=Uninstall EDR cs10Label=TaskName cs4=885 cs4Label=TaskId cn2=4"
        " cn2Label=TaskNewState cn1=0 cn1Label=TaskOldState",
        _cef("KLPRCI_TaskState", "Failed", 3, f"rt={EPOCH} dhost=WS-01 dst=10.0.0.5 cs10=Update cs10Label=TaskName"
             " cn2=3 cn2Label=TaskNewState cn1=1 cn1Label=TaskOldState"),
        _cef("KLPRCI_TaskState", "Completed successfully", 1, f"rt={EPOCH} dhost=WS-01 cs5=Server Database Update"
             " cs5Label=TaskName cn2=4 cn2Label=TaskNewState"),
        _cef("KLPRCI_TaskState", "Completed successfully", 1, f"rt={EPOCH} dhost=WS-01 cs10=Full Scan"
             " cs10Label=TaskName cn2=4 cn2Label=TaskNewState"),
        _cef("KLPRCI_TaskState", "Running", 1, f"rt={EPOCH} dhost=WS-01 cs10=Update cs10Label=TaskName cn2=1"
             " cn2Label=TaskNewState"),
        _cef("000000cb", "Databases are outdated", 4, f"rt={EPOCH} dhost=WS-02 dst=10.0.0.6 msg=Database release"
             " date: 20/12/2025 03:00:00"),
        # the SC4S escaped-= sample, as published
        "CEF:0|KasperskyLab|SecurityCenter|13.2.0.1511|KLPRCI_TaskState|Completed successfully|1|foo=foo\\=bar"
        " bar=bar\\=baz baz=test",
    ], CTX)  # fmt: skip
    check(rows[0], {"event_class": "system", "action": "other", "rule_name": "Uninstall EDR", "host": "ws6465",
                    "src_ip": "10.55.203.12", "time": utc("2022-03-18T18:08:07"), "severity": "low",
                    "extra.task_new_state": "4", "extra.task_old_state": "0", "extra.task_id": "885",
                    "extra.group_name": "site location Bldg", "product": "KES"})  # fmt: skip
    check(
        rows[1], {"event_class": "system", "action": "update_failed", "rule_name": "Update", "host": "ws-01"}
    )
    check(rows[2], {"action": "update_success", "rule_name": "Server Database Update"})
    check(rows[3], {"action": "scan_completed", "rule_name": "Full Scan"})
    check(rows[4], {"action": "other"})
    check(rows[5], {"event_class": "system", "action": "update_failed", "host": "ws-02", "src_ip": "10.0.0.6",
                    "extra.signature_date": "2025-12-20 03:00:00"})  # fmt: skip
    check(rows[6], {"extra.foo": "foo=bar", "extra.bar": "bar=baz", "extra.baz": "test", "product": "SecurityCenter",
                    "time": None})  # fmt: skip


def test_cef_network_attack() -> None:
    (row,) = parse_events(cef, [_cef("GNRL_EV_ATTACK_DETECTED", "Network attack detected", 4, (
        f"rt={EPOCH} dhost=WS-03 dst=10.0.0.7 src=203.0.113.66 spt=4444 dpt=445 proto=TCP"
        " cs1=Intrusion.Win.MS17-010.o cs1Label=VirusName"
    ))], CTX)  # fmt: skip
    check(row, {"event_class": "network_activity", "action": "deny", "src_ip": "203.0.113.66", "dst_ip": "10.0.0.7",
                "dst_port": 445, "host": "ws-03", "direction": "inbound", "malware_name": "Intrusion.Win.MS17-010.o"})  # fmt: skip


def test_leef_export() -> None:
    rows = parse_events(leef, [
        "<134>1 2026-01-22T08:15:05Z ksc01 KES|11.0.0.0 - - - LEEF:1.0|KasperskyLab|SecurityCenter|13.2.0.1511|"
        f"GNRL_EV_OBJECT_QUARANTINED|devTime={EPOCH}\tsev=4\tdhost=WS-ACC-07\tdst=10.20.30.47\tusrName=CORP\\jdoe"
        "\tcs1=HEUR:Trojan.Win32.Generic\tcs1Label=VirusName\tfilePath=C:\\Users\\jdoe\\invoice.exe",
        "LEEF:1.0|KasperskyLab|SecurityCenter|13.2.0.1511|KLPRCI_TaskState|"
        f"devTime={EPOCH}\tdhost=WS-01\tcs10=Update\tcs10Label=TaskName\tcn2=3\tcn2Label=TaskNewState",
    ], CTX)  # fmt: skip
    check(rows[0], {"vendor": "Kaspersky", "event_class": "malware_detection", "action": "quarantined",
                    "host": "ws-acc-07", "src_ip": "10.20.30.47", "user": "CORP\\jdoe", "severity": "medium",
                    "malware_name": "HEUR:Trojan.Win32.Generic", "file_path": "C:\\Users\\jdoe\\invoice.exe",
                    "time": utc("2026-01-22T08:15:00"), "device": "ksc01"})  # fmt: skip
    check(rows[1], {"event_class": "system", "action": "update_failed", "rule_name": "Update"})


SYSLOG = (
    '<134>1 2026-01-22T08:15:05Z ksc01 KES|11.0.0.0 - {msgid} [event@23668 {params} et="{et}" tdn="{tdn}" '
    'etdn="{etdn}" hdn="WS11128" hip="10.21.203.17" gn="Bourbonnais Medical Plaza"] {text}'
)


def test_syslog_export(update_golden: bool) -> None:
    lines = [
        SYSLOG.format(
            msgid="GNRL_EV_APPLICATION_LAUNCH_DENIE", et="GNRL_EV_APPLICATION_LAUNCH_DENIED", tdn="Application Control",
            etdn="Application startup prohibited",
            params='p1="829fdcfa98cbcc63" p2="NT AUTHORITY\\\\SYSTEM" p6="rm.bat" '
            'p7="C:\\\\Windows\\\\SysWOW64\\\\config\\\\rm.bat" p8=";DF4C7A69"',
            text="Event type: Application startup prohibited\\r\\nResult: Blocked\\r\\nRule category: Default Deny",
        ),
        SYSLOG.format(
            msgid="GNRL_EV_OBJECT_QUARANTINED", et="GNRL_EV_OBJECT_QUARANTINED", tdn="File Threat Protection",
            etdn="Object moved to quarantine",
            params=f'p1=";{SHA}" p2="C:\\\\Users\\\\a\\\\x.exe" p5="Trojan.Win32.Agent.abc" p7="CORP\\\\adm" '
            'p8="Trojware" p9="{\\"engine\\":3}"',
            text='Result: Quarantined\\r\\nfake="x" src="6.6.6.6" et="GNRL_EV_OBJECT_DELETED"',
        ),
        SYSLOG.format(
            msgid="KLPRCI_TaskState", et="KLPRCI_TaskState", tdn="Update", etdn="Task failed",
            params='p1="x"', text="",
        ).replace(' gn="', ' task_new_state="3" gn="'),
    ]  # fmt: skip
    check_golden(kaspersky.parse(lines_frame(lines), CTX), "kaspersky", "syslog-export", update_golden)
    rows = parse_events(kaspersky, lines, CTX)
    check(rows[0], {
        "vendor": "Kaspersky", "product": "KES", "extra.product_version": "11.0.0.0", "device": "ksc01",
        "time": utc("2026-01-22T08:15:05"), "message_id": "GNRL_EV_APPLICATION_LAUNCH_DENIED",
        "event_class": "malware_detection", "action": "blocked", "vendor_action": "Application startup prohibited",
        "host": "ws11128", "src_ip": "10.21.203.17", "rule_name": "Application Control", "user": None,
        "extra.p2": "NT AUTHORITY\\SYSTEM", "extra.p7": "C:\\Windows\\SysWOW64\\config\\rm.bat",
        "extra.group_name": "Bourbonnais Medical Plaza",
        "message": "Event type: Application startup prohibited\r\nResult: Blocked\r\nRule category: Default Deny",
    })  # fmt: skip
    check(rows[1], {
        "action": "quarantined", "file_hash": SHA.lower(), "file_path": "C:\\Users\\a\\x.exe",
        "malware_name": "Trojan.Win32.Agent.abc", "user": "CORP\\adm", "extra.p8": "Trojware",
        "extra.p9": '{"engine":3}', "src_ip": "10.21.203.17", "message_id": "GNRL_EV_OBJECT_QUARANTINED",
    })  # fmt: skip
    check(rows[2], {"event_class": "system", "action": "update_failed", "rule_name": "Update"})


def test_syslog_quarantine_and_sniff() -> None:
    result = kaspersky.parse(
        lines_frame(["<134>1 2026-01-22T08:15:05Z ksc01 KES|11.0.0.0 - X - no data"]), CTX
    )
    assert result.quarantine["reason"].to_list() == [kaspersky.NO_DATA]
    sniffed = kaspersky.sniff(lines_frame([SYSLOG, _detection("GNRL_EV_VIRUS_FOUND", "x", "y")])["raw"])
    assert sniffed.to_list() == [True, False]
