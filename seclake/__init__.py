"""seclake: a security log lake for organisations with firewalls and anti-virus but no SOC.

Raw firewall and AV logs are parsed into one event schema (`seclake.schema`), stored in a
hive-partitioned Parquet lake (`seclake.lake`), and turned into alerts, incidents, downtime figures
and a manager's report by the steps the CLI (`seclake.cli`) and the Airflow DAGs call.
"""

__version__ = "0.1.0"
