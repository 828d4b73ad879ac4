-- downtime_assets: the inventory assets and services each explicit outage takes down.
--
-- The logging device is matched to an inventory asset by name or host name, case-insensitive.
--   interface_down   what the device's interface carries (interface_assets.sql): every other
--                    asset with an IP inside the interface's network (the whole asset: service
--                    null), and the device's own services whose `interface` names it (one row per
--                    service). Interface names compare case-insensitively. A device that is not an
--                    inventory asset with that interface takes nothing down that can be named.
--   failover         the device itself (whole) and every asset behind any of its interfaces.
--   vpn_tunnel_down  the asset whose IPs include the tunnel's peer (a remote site's gateway listed
--                    in the inventory); a peer outside the inventory takes nothing down that can
--                    be named.
--   service_stop     the logging host's asset, service = the stopped service (clamd: its
--                    anti-virus), only when the inventory lists that service for the asset (e.g.
--                    {name: clamd, port: 3310}): a workstation switched off for the night stops
--                    its clamd too, which is no outage.
-- Explicit outages that take down no inventory asset get no row; the last statement lists those
-- touching the day (for the step's manifest).
--
-- Inputs: explicit_outages (downtime_explicit.sql), assets (seclake.detection.sandbox
-- assets_table), interface_assets (interface_assets.sql), service_addresses (the inventory's
-- services, seclake.downtime). Parameters (last statement): $day_start,
-- $day_end, $data_end.
-- Output: explicit_rows (asset, service, cause, device, subject, down_at, up_at, detail,
-- evidence_file, evidence_line); result: the unattributed outages of the day.
CREATE OR REPLACE TEMP TABLE explicit_rows AS
WITH device_names AS (
    SELECT DISTINCT asset, value AS name FROM assets WHERE match_type = 'hostname'
    UNION
    SELECT DISTINCT asset, lower(asset) FROM assets
),
carried AS (  -- per device asset and interface: the assets and services it carries
    SELECT DISTINCT n.asset AS device_asset, lower(c.interface) AS interface, c.asset, c.service
    FROM interface_assets c JOIN device_names n ON n.name = c.device
),
outages AS (
    SELECT o.*, n.asset AS device_asset
    FROM explicit_outages o LEFT JOIN device_names n ON n.name = lower(o.device)
),
taken AS (
    SELECT o.*, c.asset, c.service
    FROM outages o JOIN carried c ON c.device_asset = o.device_asset AND c.interface = lower(o.subject)
    WHERE o.cause = 'interface_down'
    UNION ALL
    SELECT o.*, c.asset, NULL
    FROM outages o JOIN (SELECT DISTINCT device_asset, asset FROM carried WHERE service IS NULL) c
      ON c.device_asset = o.device_asset
    WHERE o.cause = 'failover'
    UNION ALL
    SELECT o.*, o.device_asset, NULL FROM outages o WHERE o.cause = 'failover' AND o.device_asset IS NOT NULL
    UNION ALL
    SELECT o.*, a.asset, NULL
    FROM outages o JOIN assets a ON a.match_type = 'ip' AND a.value = o.subject
    WHERE o.cause = 'vpn_tunnel_down'
    UNION ALL
    SELECT o.*, o.device_asset, s.service
    FROM outages o JOIN (SELECT DISTINCT asset, service FROM service_addresses) s
      ON s.asset = o.device_asset AND lower(s.service) = lower(o.subject)
    WHERE o.cause = 'service_stop'
)
SELECT DISTINCT asset, service, cause, device, subject, down_at, up_at, detail, evidence_file, evidence_line
FROM taken;

-- The explicit outages touching the day [$day_start, $day_end) (still down: up to $data_end) that
-- take down no inventory asset, for the step's manifest.
SELECT o.cause, o.device, o.subject, o.down_at, o.up_at, o.detail
FROM explicit_outages o
WHERE o.down_at < $day_end AND (coalesce(o.up_at, $data_end) > $day_start OR o.down_at >= $day_start)
  AND NOT EXISTS (
      SELECT 1 FROM explicit_rows r
      WHERE r.cause = o.cause AND r.device IS NOT DISTINCT FROM o.device AND r.subject = o.subject
        AND r.down_at = o.down_at)
ORDER BY o.down_at, o.cause, o.subject;
