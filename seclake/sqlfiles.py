"""The DuckDB SQL the engine runs, kept as files in the project's ``sql/`` folder (one concern a file).

``sql_text("incidents_group")`` returns the text of ``sql/incidents_group.sql``; ``run_sql`` runs
its statements. Statements take named parameters (``$org``, ``$day_start``, ...) bound at
execution, never string formatting.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"


@cache
def sql_text(name: str) -> str:
    """The text of ``sql/<name>.sql``."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a SQL file name: {name!r}")
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run_sql(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> duckdb.DuckDBPyRelation | None:
    """Run every statement of ``sql/<name>.sql``, each bound to the parameters it names.

    When the last statement is a SELECT, returns its relation (fetch it with ``to_arrow_table()``
    and the like); else None. A parameter a statement names but ``params`` lacks is DuckDB's
    error, naming it.
    """
    statements = con.extract_statements(sql_text(name))
    for statement in statements:
        bound = {key: params[key] for key in statement.named_parameters if key in params}
        if statement is statements[-1] and statement.type == duckdb.StatementType.SELECT:
            return con.sql(statement.query, params=bound)
        con.execute(statement, bound)
    return None
