"""Trend Micro Deep Security (Agent/Manager) and Apex Central (Apex One) over CEF and LEEF.

The corpus has **no Trend Micro line**. The lines below are **built from** ``../shared/formats/
trendmicro.md``: samples 1-6 of the notes as published there (``<DSA version>`` placeholders
filled, a syslog header added to some), and lines composed from the notes' field lists for what
the samples lack: the other anti-malware results (Quarantine, Clean, Pass, Deny Access, a failed
action), IPS reset/block, a Manager sign-in failure and health events, Apex Central virus,
predictive-ML, spyware and C&C events (sample 7 is a parsed record; its raw CEF is rebuilt from
its columns), and a Deep Security LEEF line (``usrName`` instead of ``suser``, per the notes).
The health-event names (``Anti-Malware Engine Offline``, ``Security Update Failed``) are English
names whose ids the notes do not give: they are classified by name.
"""

from __future__ import annotations

import datetime as dt

import pytest

from seclake.parsers import cef, leef
from seclake.parsers.contract import ParseContext
from tests.parsers.checks import check, parse_events, utc

CTX = ParseContext(org="acme", source="trend", date=dt.date(2026, 1, 23), timezone="Asia/Singapore")
DSA = "CEF:0|Trend Micro|Deep Security Agent|20.0.0.877|"
HEADER = "<134>Jan 22 16:15:00 dsm01 "
HASHES = (
    "TrendMicroDsFileMD5=44D88612FEA8A8F36DE82E1278ABB02F TrendMicroDsFileSHA1=3395856CE81F2B7382DEE72602F798B642F14140"
    " TrendMicroDsFileSHA256=275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F"
)


def test_deep_security_anti_malware_sample() -> None:
    (row,) = parse_events(cef, [
        HEADER + DSA + "4000000|Eicar_test_file|6|cn1=1 cn1Label=Host ID dvchost=hostname cn2=205 cn2Label=Quarantine"
        " File Size cs6=ContainerImageName | ContainerName | ContainerID cs6Label=Container"
        " filePath=C:\\\\Users\\\\trend\\\\Desktop\\\\eicar.exe act=Delete msg=Realtime TrendMicroDsMalwareTarget=N/A"
        " TrendMicroDsMalwareTargetType=N/TrendMicroDsFileMD5=44D88612FEA8A8F36DE82E1278ABB02F"
        " TrendMicroDsFileSHA1=3395856CE81F2B7382DEE72602F798B642F14140"
        " TrendMicroDsFileSHA256=275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F"
        " TrendMicroDsDetectionConfidence=95 TrendMicroDsRelevantDetectionNames=Ransom_CERBER.BZC;Ransom_CERBER.C",
    ], CTX)  # fmt: skip
    check(row, {
        "vendor": "Trend Micro", "product": "Deep Security Agent", "message_id": "4000000",
        "event_class": "malware_detection", "action": "deleted", "vendor_action": "Delete",
        "malware_name": "Eicar_test_file", "rule_name": None, "host": "hostname", "device": "dsm01",
        "file_path": "C:\\Users\\trend\\Desktop\\eicar.exe",
        "file_hash": "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
        "extra.TrendMicroDsFileSHA1": "3395856CE81F2B7382DEE72602F798B642F14140",
        "extra.TrendMicroDsMalwareTargetType": "N/TrendMicroDsFileMD5=44D88612FEA8A8F36DE82E1278ABB02F",
        "extra.quarantine_file_size": "205", "extra.host_id": "1", "extra.container": "ContainerImageName |"
        " ContainerName | ContainerID", "message": "Realtime", "severity": "medium",
        "time": utc("2026-01-22T08:15:00"),
    })  # fmt: skip


@pytest.mark.parametrize(
    ("act", "action"),
    [("Quarantine", "quarantined"), ("Clean", "cleaned"), ("Delete", "deleted"), ("Pass", "allowed"),
     ("Deny Access", "blocked"), ("Clean Failed", "failed"), ("Quarantine Failed", "failed"), (None, "detected")],
)  # fmt: skip
def test_deep_security_anti_malware_actions(act: str | None, action: str) -> None:
    act_key = f" act={act}" if act else ""
    (row,) = parse_events(cef, [DSA + f"4000001|TROJ_GEN.R002C0|8|cn1=12 cn1Label=Host ID dvc=10.4.5.6 dvchost=web-01"
                                f" filePath=/tmp/x.sh{act_key} msg=Manual {HASHES}"], CTX)  # fmt: skip
    check(row, {"event_class": "malware_detection", "action": action, "malware_name": "TROJ_GEN.R002C0",
                "host": "web-01", "src_ip": "10.4.5.6", "file_path": "/tmp/x.sh", "severity": "high"})  # fmt: skip


def test_deep_security_network_modules() -> None:
    rows = parse_events(cef, [
        DSA + "20|Log for TCP Port 80|0|cn1=1 cn1Label=Host ID dvc=hostname act=Log dmac=00:50:56:F5:7F:47"
        " smac=00:0C:29:EB:35:DE TrendMicroDsFrameType=IP src=192.168.126.150 dst=72.14.204.147 out=1019 cs3=DF MF"
        " cs3Label=Fragmentation Bits proto=TCP spt=49617 dpt=80 cs2=0x00 ACK PSH cs2Label=TCP Flags cnt=1",
        DSA + "21|Deny RDP|5|cn1=1 cn1Label=Host ID dvchost=db-01 act=Deny src=203.0.113.8 dst=10.0.0.9 proto=TCP"
        " spt=50000 dpt=3389",
        DSA + "1001111|Test Intrusion Prevention Rule|3|cn1=1 cn1Label=Host ID dvchost=hostname"
        " TrendMicroDsTenant=Primary TrendMicroDsTenantId=0 dmac=00:50:56:F5:7F:47 smac=00:0C:29:EB:35:DE"
        " TrendMicroDsFrameType=IP src=192.168.126.150 dst=72.14.204.105 out=1093 cs3=DF MF cs3Label=Fragmentation"
        " Bits proto=TCP spt=49786 dpt=80 cs2=0x00 ACK PSH cs2Label=TCP Flags cnt=1 act=IDS:Reset cn3=10"
        " cn3Label=Intrusion Prevention Packet Position cs5=10 cs5Label=Intrusion Prevention Stream Position cs6=8"
        " cs6Label=Intrusion Prevention Flags",
        DSA + "1008610|SMB exploit|10|dvchost=fs-01 act=Reset src=203.0.113.9 dst=10.0.0.10 proto=TCP dpt=445",
        DSA + "1008611|SQL injection|8|dvchost=fs-01 act=Block src=203.0.113.9 dst=10.0.0.10 proto=TCP dpt=443",
        DSA + "5000000|WebReputation|5|cn1=1 cn1Label=Host ID dvchost=hostname request=example.com msg=Blocked By Admin",
    ], CTX)  # fmt: skip
    check(rows[0], {"event_class": "network_activity", "action": "allow", "src_ip": "192.168.126.150",
                    "dst_ip": "72.14.204.147", "src_port": 49617, "dst_port": 80, "protocol": "tcp",
                    "bytes_in": None, "bytes_out": None, "extra.out": "1019", "rule_name": "Log for TCP Port 80",
                    "direction": "outbound", "extra.tcp_flags": "0x00 ACK PSH", "severity": "low"})  # fmt: skip
    check(rows[1], {"action": "deny", "host": "db-01", "direction": "inbound", "dst_port": 3389})
    check(rows[2], {"action": "allow", "vendor_action": "IDS:Reset", "rule_name": "Test Intrusion Prevention Rule",
                    "extra.intrusion_prevention_packet_position": "10"})  # fmt: skip
    check(rows[3], {"action": "reset", "severity": "critical"})
    check(rows[4], {"action": "deny"})
    check(rows[5], {"event_class": "network_activity", "action": "deny", "extra.request": "example.com",
                    "message": "Blocked By Admin", "rule_name": "WebReputation"})  # fmt: skip


def test_deep_security_manager_events() -> None:
    manager = "CEF:0|Trend Micro|Deep Security Manager|20.0.501|"
    rows = parse_events(cef, [
        manager + "600|User Signed In|3|src=10.52.116.160 suser=admin target=admin msg=User signed in from 2001:db8::5",
        manager + "601|User Signed Out|3|src=10.52.116.160 suser=admin",
        manager + "650|User Sign-In Failed|6|src=198.51.100.77 suser=admin",
        manager + "603|User Locked Out|6|src=198.51.100.77 suser=admin",
        manager + "711|Security Update Failed|6|msg=Pattern download failed",
        manager + "4010|Anti-Malware Engine Offline|6|dvchost=web-01",
    ], CTX)  # fmt: skip
    check(rows[0], {"event_class": "authentication", "action": "success", "user": "admin", "src_ip": "10.52.116.160",
                    "extra.target": "admin", "message": "User signed in from 2001:db8::5"})  # fmt: skip
    check(rows[1], {"event_class": "system", "action": "other"})
    check(rows[2], {"event_class": "authentication", "action": "failure", "src_ip": "198.51.100.77"})
    check(rows[3], {"event_class": "authentication", "action": "failure"})
    check(rows[4], {"event_class": "system", "action": "update_failed"})
    check(rows[5], {"event_class": "system", "action": "protection_disabled", "host": "web-01"})


def test_apex_central() -> None:
    apex = "CEF:0|Trend Micro|Apex Central|2019|"
    rows = parse_events(cef, [
        HEADER + apex + "800102|Engine Update Status|3|rt=Apr 20 2017 12:04:34 GMT+00:00 shost=shost1 cs2Label=Product/"
        "Endpoint_IP cs2=10.0.17.6 cn1Label=Connection_Status cn1=100 cn2Label=Engine cn2=4096 cs5Label=Engine_Version"
        " cs5=9.950.1006 cn3Label=Engine_Status cn3=1 cs6Label=AUComponent_Type cs6=1",
        apex + "CnC:Block|CnC Callback|8|rt=Dec 20 2021 06:34:09 GMT+00:00 act=Block deviceFacility=Apex One"
        " shost=ApexOneClient01 src=10.201.86.187 dst=10.201.86.195 sproc=C:\\\\Program Files (x86)\\\\Internet"
        " Explorer\\\\iexplore.exe cat=1756",
        apex + "AV:File quarantined|Virus/Malware Detected|8|rt=Jan 22 2026 08:15:00 GMT+00:00 deviceFacility=Apex One"
        " dhost=WS-FIN-02 dst=10.3.3.3 duser=CORP\\\\ann fname=eicar.com filePath=C:\\\\Temp\\\\eicar.com"
        " fileHash=3395856CE81F2B7382DEE72602F798B642F14140 cs1Label=VirusName cs1=Eicar_test_file act=File quarantined"
        " cs6Label=PatternVersion cs6=18.123.00",
        apex + "PML:File cleaned|Predictive Machine Learning|8|rt=Jan 22 2026 08:15:00 GMT+00:00 dhost=WS-FIN-03"
        " dst=10.3.3.4 cs1Label=ThreatName cs1=TROJ.Win32.TRX.XXPE50FFF037",
        apex + "Spyware Detected|Spyware/Grayware Detected|6|rt=Jan 22 2026 08:15:00 GMT+00:00 dhost=WS-FIN-04"
        " cs1Label=Spyware_Grayware_Name cs1=ADW_OPENCANDY act=Unable to clean",
    ], CTX)  # fmt: skip
    check(rows[0], {"event_class": "system", "action": "other", "host": "shost1", "src_ip": "10.0.17.6",
                    "extra.engine_version": "9.950.1006", "extra.engine_status": "1", "device": "dsm01",
                    "time": utc("2017-04-20T12:04:34")})  # fmt: skip
    check(rows[1], {"event_class": "network_activity", "action": "deny", "host": "apexoneclient01",
                    "src_ip": "10.201.86.187", "dst_ip": "10.201.86.195", "time": utc("2021-12-20T06:34:09"),
                    "extra.deviceFacility": "Apex One", "extra.cat": "1756"})  # fmt: skip
    check(rows[2], {"event_class": "malware_detection", "action": "quarantined", "host": "ws-fin-02",
                    "src_ip": "10.3.3.3", "dst_ip": None, "user": "CORP\\ann", "malware_name": "Eicar_test_file",
                    "file_path": "C:\\Temp\\eicar.com", "file_hash": "3395856ce81f2b7382dee72602f798b642f14140",
                    "extra.pattern_version": "18.123.00", "severity": "high"})  # fmt: skip
    check(rows[3], {"event_class": "malware_detection", "action": "cleaned", "vendor_action": "File cleaned",
                    "malware_name": "TROJ.Win32.TRX.XXPE50FFF037", "host": "ws-fin-03"})  # fmt: skip
    check(rows[4], {"event_class": "malware_detection", "action": "failed", "malware_name": "ADW_OPENCANDY"})


def test_deep_security_leef() -> None:
    (row,) = parse_events(leef, [
        "LEEF:2.0|Trend Micro|Deep Security Agent|20.0.0.877|4000000|x09|cat=Anti-Malware\tname=Eicar_test_file"
        "\tdesc=Eicar_test_file\tsev=6\tcn1=1\tcn1Label=Host ID\tdvchost=hostname\tusrName=SYSTEM"
        "\tfilePath=C:\\Users\\trend\\Desktop\\eicar.exe\tact=Quarantine\tmsg=Realtime"
        "\tTrendMicroDsFileSHA1=3395856CE81F2B7382DEE72602F798B642F14140",
    ], CTX)  # fmt: skip
    check(row, {"event_class": "malware_detection", "action": "quarantined", "host": "hostname", "user": "SYSTEM",
                "file_path": "C:\\Users\\trend\\Desktop\\eicar.exe", "severity": "medium",
                "file_hash": "3395856ce81f2b7382dee72602f798b642f14140", "malware_name": "Eicar_test_file"})  # fmt: skip
