"""Demo data for seclake: realistic raw logs of a few organisations with labelled scenarios.

``generate(out_dir, start=...)`` writes gzip'd Cisco ASA and ClamAV syslog files per
organisation, source and day, a ``seclake.yaml`` for them and a ``ground_truth.json`` with every
labelled attack and outage (see ``seclake.demo.generate``). Modules: ``orgs`` (organisations and
inventories), ``events`` (vendor-neutral events, clocks), ``background`` (benign activity),
``scenarios`` (labelled incidents), one writer per log format (``asa``, ``clamav``).
"""

from seclake.demo.generate import DemoFile, DemoSet, generate

__all__ = ["DemoFile", "DemoSet", "generate"]
