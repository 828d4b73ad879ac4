"""MITRE ATT&CK (Enterprise) identifiers rules may cite: every tactic, and the technique id format.

Tactic ids are checked against the full Enterprise list; technique ids against the ``T####`` /
``T####.###`` form (the full technique catalogue changes every release and is not shipped).
"""

from __future__ import annotations

import re

TACTICS: dict[str, str] = {
    "TA0043": "Reconnaissance",
    "TA0042": "Resource Development",
    "TA0001": "Initial Access",
    "TA0002": "Execution",
    "TA0003": "Persistence",
    "TA0004": "Privilege Escalation",
    "TA0005": "Defense Evasion",
    "TA0006": "Credential Access",
    "TA0007": "Discovery",
    "TA0008": "Lateral Movement",
    "TA0009": "Collection",
    "TA0011": "Command and Control",
    "TA0010": "Exfiltration",
    "TA0040": "Impact",
}

TECHNIQUE_ID = re.compile(r"^T\d{4}(?:\.\d{3})?$")


def check_tactic(value: str) -> str:
    """Return a known ATT&CK tactic id, else raise ValueError listing the known ones."""
    if value not in TACTICS:
        raise ValueError(f"{value!r} is not an ATT&CK Enterprise tactic id ({', '.join(sorted(TACTICS))})")
    return value


def check_technique(value: str) -> str:
    """Return a well-formed ATT&CK technique id (T1110 or T1110.001), else raise ValueError."""
    if not TECHNIQUE_ID.match(value):
        raise ValueError(f"{value!r} is not an ATT&CK technique id (T1234 or T1234.001)")
    return value
