"""The document envelope (apiVersion, kind, metadata, spec) for every kind, and the kind registry."""

from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, Field

from slactl.model.agreement import OLASpec, SLASpec, UCSpec
from slactl.model.common import API_VERSION, Metadata, StrictModel
from slactl.model.kinds import (
    CalendarSpec,
    DataSourceSpec,
    EscalationPolicySpec,
    FreezeSpec,
    ImprovementSpec,
    PolicySpec,
    ProblemSpec,
    ServiceSpec,
)


class _Document(StrictModel):
    apiVersion: Literal["slactl/v1"] = Field(description=f"Always {API_VERSION}.")
    metadata: Metadata


class SLA(_Document):
    """Service level agreement with a customer."""

    kind: Literal["SLA"]
    spec: SLASpec


class OLA(_Document):
    """Operational level agreement with an internal team."""

    kind: Literal["OLA"]
    spec: OLASpec


class UC(_Document):
    """Underpinning contract with a supplier."""

    kind: Literal["UC"]
    spec: UCSpec


class Service(_Document):
    """A service covered by agreements."""

    kind: Literal["Service"]
    spec: ServiceSpec


class Calendar(_Document):
    """Service hours and holidays in one time zone."""

    kind: Literal["Calendar"]
    spec: CalendarSpec


class DataSource(_Document):
    """Maps a monitoring or ticketing export onto what slactl needs."""

    kind: Literal["DataSource"]
    spec: DataSourceSpec


class EscalationPolicy(_Document):
    """Ordered escalation levels with their notification channels."""

    kind: Literal["EscalationPolicy"]
    spec: EscalationPolicySpec


class Improvement(_Document):
    """An entry of the continual service improvement (CSI) register."""

    kind: Literal["Improvement"]
    spec: ImprovementSpec


class Problem(_Document):
    """A root cause analysis record."""

    kind: Literal["Problem"]
    spec: ProblemSpec


class Policy(_Document):
    """A named governance rule set, applied by `slactl audit`."""

    kind: Literal["Policy"]
    spec: PolicySpec


class Freeze(_Document):
    """A change-freeze window."""

    kind: Literal["Freeze"]
    spec: FreezeSpec


KIND_MODELS: dict[str, type[_Document]] = {
    "SLA": SLA,
    "OLA": OLA,
    "UC": UC,
    "Service": Service,
    "Calendar": Calendar,
    "DataSource": DataSource,
    "EscalationPolicy": EscalationPolicy,
    "Improvement": Improvement,
    "Problem": Problem,
    "Policy": Policy,
    "Freeze": Freeze,
}
AGREEMENT_KINDS = ("SLA", "OLA", "UC")

Agreement = Union[SLA, OLA, UC]
AnyDocument = Union[SLA, OLA, UC, Service, Calendar, DataSource, EscalationPolicy, Improvement, Problem, Policy, Freeze]


def namespace_of(kind: str) -> str:
    """Ids are unique per kind; SLA, OLA and UC share the `agreement` namespace."""
    return "agreement" if kind in AGREEMENT_KINDS else kind


def json_schema_for(kind: str) -> dict:
    model: type[BaseModel] = KIND_MODELS[kind]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://slactl.dev/schemas/v1/{kind.lower()}.json"
    schema["title"] = f"slactl {kind}"
    return schema
