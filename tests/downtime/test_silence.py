"""sql/downtime_quiet.sql and sql/downtime_silence.sql: silence outages learned from history.

srv1's smb carries a session every 2 minutes from 08:00 to 18:00 on every day and nothing at
night; the rest of the organisation has an allowed session every 2 minutes around the clock. The
history is the 8 days before DAY.
"""

from __future__ import annotations

import datetime as dt

from seclake.downtime import MIN_HISTORY_DAYS, SILENCE_MINUTES
from tests.downtime.helpers import (
    DAY,
    at,
    connect_with,
    create,
    every,
    explicit_rows,
    hit,
    make_config,
    params,
    rows,
    run,
)

TWO_MINUTES = dt.timedelta(minutes=2)


def office_day(
    day: dt.date,
    quiet: tuple[str, str] | None = None,
    others: dt.timedelta = TWO_MINUTES,
    until: str = "23:59",
) -> list[dict]:
    """smb every 2 min 08:00-18:00 except in ``quiet`` (clock from, to); other traffic every ``others``."""
    smb = every(at(day, "08:00"), at(day, "18:00"), TWO_MINUTES, lambda t: hit(t, "10.0.2.10", 445))
    if quiet:
        smb = [e for e in smb if not at(day, quiet[0]) <= e["time"] < at(day, quiet[1])]
    background = every(at(day, "00:00"), at(day, until), others, lambda t: hit(t, "93.184.216.34", 443))
    return smb + background


def history(days: int = 8) -> list[dict]:
    return [e for back in range(days, 0, -1) for e in office_day(DAY - dt.timedelta(days=back))]


def silences(
    events: list[dict], explained: list[dict] = (), data_end: dt.datetime | None = None
) -> list[dict]:
    """silence_rows of DAY (down_at, up_at, evidence_line) with ``explained`` as explicit_rows."""
    config = make_config()
    con = connect_with(events, config)
    create(con, "explicit_rows", explicit_rows(list(explained)))
    values = params(config, data_end=data_end)
    run(con, "downtime_quiet", values)
    run(con, "downtime_silence", values, silence_minutes=SILENCE_MINUTES, min_history_days=MIN_HISTORY_DAYS)
    return rows(
        con, "SELECT asset, service, down_at, up_at, evidence_line FROM silence_rows ORDER BY down_at"
    )


def test_a_quiet_night_is_normal_and_the_learned_thresholds_say_why() -> None:
    config = make_config()
    con = connect_with(history() + office_day(DAY), config)
    create(con, "explicit_rows", explicit_rows([]))
    values = params(config)
    run(con, "downtime_quiet", values)
    run(con, "downtime_silence", values, silence_minutes=SILENCE_MINUTES, min_history_days=MIN_HISTORY_DAYS)
    assert rows(con, "SELECT * FROM silence_rows") == []
    profile = {
        r["hour"]: r
        for r in rows(con, "SELECT * FROM silence_profile WHERE asset = 'srv1' AND service = 'smb'")
    }
    assert set(profile) == set(range(24))
    assert (profile[10]["samples"], profile[10]["quietest"], profile[10]["threshold_s"]) == (8, 30, 2400.0)
    assert (profile[3]["quietest"], profile[3]["threshold_s"]) == (0, None)


def test_a_daytime_silence_is_an_outage_from_the_last_to_the_next_traffic() -> None:
    (silence,) = silences(history() + office_day(DAY, quiet=("10:00", "13:00")))
    assert (silence["asset"], silence["service"]) == ("srv1", "smb")
    assert (silence["down_at"], silence["up_at"]) == (at(DAY, "09:58"), at(DAY, "13:00"))
    assert silence["evidence_line"] is not None


def test_the_learned_threshold_at_10_is_40_minutes() -> None:
    assert silences(history() + office_day(DAY, quiet=("10:00", "10:36"))) == []  # 38 min: 19 expected
    (silence,) = silences(history() + office_day(DAY, quiet=("10:00", "10:40")))  # 42 min: 21 expected
    assert (silence["down_at"], silence["up_at"]) == (at(DAY, "09:58"), at(DAY, "10:40"))


def test_a_silence_still_running_at_the_end_of_the_data_has_no_up() -> None:
    (silence,) = silences(history() + office_day(DAY, quiet=("15:00", "18:00")))
    assert (silence["down_at"], silence["up_at"]) == (at(DAY, "14:58"), None)


def test_no_silence_while_the_whole_organisation_is_quieter_than_ever_before() -> None:
    holiday = office_day(DAY, quiet=("08:00", "18:00"), others=dt.timedelta(minutes=4))
    assert silences(history() + holiday) == []


def test_no_silence_while_the_logs_stopped() -> None:
    day = [e for e in office_day(DAY) if not at(DAY, "10:00") <= e["time"] < at(DAY, "13:00")]
    assert silences(history() + day) == []


def test_no_silence_without_a_week_of_history() -> None:
    assert silences(history(days=MIN_HISTORY_DAYS - 1) + office_day(DAY, quiet=("10:00", "13:00"))) == []


def test_silence_explained_by_an_explicit_outage_is_not_counted_twice() -> None:
    events = history() + office_day(DAY, quiet=("10:00", "13:00"))
    whole = {"asset": "srv1", "down_at": at(DAY, "09:59"), "up_at": at(DAY, "13:00")}
    assert silences(events, [whole]) == []
    first_hour = {"asset": "srv1", "down_at": at(DAY, "09:59"), "up_at": at(DAY, "11:00")}
    (rest,) = silences(events, [first_hour])
    assert (rest["down_at"], rest["up_at"], rest["evidence_line"]) == (
        at(DAY, "11:00"),
        at(DAY, "13:00"),
        None,
    )


def test_an_outage_of_another_service_or_asset_explains_nothing() -> None:
    events = history() + office_day(DAY, quiet=("10:00", "13:00"))
    other = [
        {"asset": "srv1", "service": "clamd", "cause": "service_stop", "down_at": at(DAY, "09:00"), "up_at": at(DAY, "14:00")},
        {"asset": "web", "down_at": at(DAY, "09:00"), "up_at": at(DAY, "14:00")},
    ]  # fmt: skip
    assert [(s["down_at"], s["up_at"]) for s in silences(events, other)] == [
        (at(DAY, "09:58"), at(DAY, "13:00"))
    ]
