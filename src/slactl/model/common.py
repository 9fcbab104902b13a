"""Types shared by every kind: ids, durations, local times, time zones and the document envelope."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from slactl.durations import DURATION_PATTERN, parse_duration

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
OBJECTIVE_REF_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}/[a-z0-9][a-z0-9-]{0,62}$"
_ID = re.compile(ID_PATTERN)
_LOCAL_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_INTERVAL = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class StrictModel(BaseModel):
    """Base for every definition model: unknown fields are errors, so typos never pass."""

    # defer_build: a command builds the validators of the kinds it reads, not of all eleven
    # allow_inf_nan=False: .inf or .nan is no measure, target, investment or score (and no valid JSON)
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=False, defer_build=True,
                              allow_inf_nan=False)


def _check_id(value: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(
            f"'{value}' is not a valid id: use 1 to 63 lower-case letters, digits and '-', starting with a letter or digit"
        )
    return value


MAX_DURATION_DAYS = 366  # no notice, window, clock or slice is longer than a year


def _duration(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("a duration must be text such as 30s, 15m, 4h or 2d")
    if isinstance(value, (int, float)):
        raise ValueError(f"'{value}' needs a unit: write {value}s, {value}m or {value}h")
    seconds = parse_duration(value)
    if seconds > MAX_DURATION_DAYS * 86_400:
        raise ValueError(f"'{value}' is longer than {MAX_DURATION_DAYS} days, the longest duration slactl accepts")
    return seconds


def _local_time(value: Any) -> str:
    text = str(value)
    if not _LOCAL_TIME.match(text):
        raise ValueError(f"'{value}' is not a local time; write HH:MM, for example \"02:00\" (quoted)")
    return text


def _timezone(value: Any) -> str:
    text = str(value)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        raise ValueError(f"'{value}' is not an IANA time zone name such as Europe/London or UTC") from None
    return text


def interval_minutes(text: str) -> tuple[int, int]:
    """Minutes since local midnight of an `HH:MM-HH:MM` interval; end may be 24:00."""
    match = _INTERVAL.match(text)
    if not match:
        raise ValueError(f"'{text}' is not an interval; write HH:MM-HH:MM, for example \"08:00-18:00\"")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
        raise ValueError(f"'{text}' has an hour or minute out of range")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start >= end:
        raise ValueError(
            f"'{text}' ends before it starts; a night shift is written on two days "
            "(\"22:00-24:00\" on one day, \"00:00-06:00\" on the next)"
        )
    return start, end


def _interval(value: Any) -> str:
    interval_minutes(str(value))
    return str(value)


Id = Annotated[str, AfterValidator(_check_id), WithJsonSchema({"type": "string", "pattern": ID_PATTERN})]
ObjectiveRef = Annotated[
    str,
    Field(pattern=OBJECTIVE_REF_PATTERN),
    WithJsonSchema({"type": "string", "pattern": OBJECTIVE_REF_PATTERN, "description": "AGREEMENT/OBJECTIVE"}),
]
Duration = Annotated[
    float,
    BeforeValidator(_duration),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "examples": ["30s", "15m", "4h", "2d"]}),
]
LocalTime = Annotated[
    str, BeforeValidator(_local_time), WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$"})
]
TimeZoneName = Annotated[
    str, BeforeValidator(_timezone), WithJsonSchema({"type": "string", "examples": ["Europe/London", "UTC"]})
]
LocalInterval = Annotated[
    str, AfterValidator(_interval), WithJsonSchema({"type": "string", "pattern": r"^\d{2}:\d{2}-\d{2}:\d{2}$"})
]
Timestamp = Annotated[
    datetime,
    WithJsonSchema(
        {
            "type": "string",
            "description": "ISO 8601 date-time; without an offset it is read in the agreement's calendar time zone",
        }
    ),
]
Percent = Annotated[float, Field(ge=0, le=100)]


class Metadata(StrictModel):
    """Who a document is and who owns it."""

    id: Id = Field(description="Unique per kind; SLA, OLA and UC share one namespace.")
    name: str | None = Field(default=None, description="Human-readable name.")
    owner: str | None = Field(default=None, description="Accountable owner (team or person).")
    labels: dict[str, str | int | float | bool] = Field(default_factory=dict, description="Free key/value labels.")
    description: str | None = Field(default=None, description="Optional free text.")


API_VERSION = "slactl/v1"


def to_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
