"""Detection: YAML rules (DuckDB SQL or a threshold form) run over the lake's events → alerts.

``rule`` loads and validates rule files, ``threshold`` compiles the short form to SQL,
``sandbox`` opens the locked-down DuckDB connection rules run in, ``engine`` runs every rule for
an organisation and day and writes the alerts partition, ``casetest`` runs each rule's own tests.
"""
