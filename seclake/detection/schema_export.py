"""Write the JSON Schema of rule files (``rules/schema.json``) from the rule model.

python -m seclake.detection.schema_export      # rewrites rules/schema.json
"""

from __future__ import annotations

import json

from seclake.detection.engine import RULES_DIR
from seclake.detection.rule import Rule

SCHEMA_FILE = RULES_DIR / "schema.json"


def rule_json_schema() -> str:
    """The JSON Schema text of a rule file."""
    schema = Rule.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "seclake detection rule"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(rule_json_schema(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
