-- What a network device's interface carries: the inventory assets with an IP inside the
-- interface's network (other than the device itself), and the device's own services offered on
-- that interface (config `services[].interface`). An outage of the interface takes these down; an
-- administrative shutdown of it isolates them.
--
-- Inputs: interfaces (device_asset, interface, network), assets (seclake.detection.sandbox
-- assets_table), device_services (asset, service, interface).
-- Output: interface_assets (device, interface, asset, service): device = every name the device's
-- logs may carry (its hostnames, lower-case); service null = the whole asset.
CREATE OR REPLACE TEMP TABLE interface_assets AS
WITH devices AS (
    SELECT i.*, a.value AS device
    FROM interfaces i JOIN assets a ON a.asset = i.device_asset AND a.match_type = 'hostname'
)
SELECT DISTINCT d.device, d.interface, a.asset, NULL::VARCHAR AS service
FROM devices d JOIN assets a
  ON a.match_type = 'ip' AND a.asset <> d.device_asset AND in_cidr(a.value, d.network)
UNION
SELECT d.device, d.interface, s.asset, s.service
FROM devices d JOIN device_services s ON s.asset = d.device_asset AND s.interface = d.interface;
