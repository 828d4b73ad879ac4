"""Sigma import: convert Sigma rules (pySigma ≥ 2.0) into seclake rule files.

``fieldmap`` reads ``sigma/fieldmap.yml`` (log sources and fields → event columns), ``pipeline``
is the pySigma processing pipeline that applies it, ``backend`` the pySigma backend that writes
DuckDB conditions, ``correlation`` compiles the correlation shapes ``threshold:`` cannot take,
``cases`` generates test cases, and ``convert`` ties them into ``seclake rules import-sigma``.
"""
