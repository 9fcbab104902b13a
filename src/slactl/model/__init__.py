"""pydantic models for every kind of definition document (SPEC section 2)."""

from slactl.model.agreement import Indicator, Objective, Window
from slactl.model.documents import (
    AGREEMENT_KINDS,
    KIND_MODELS,
    OLA,
    SLA,
    UC,
    Agreement,
    AnyDocument,
    Calendar,
    DataSource,
    EscalationPolicy,
    Freeze,
    Improvement,
    Policy,
    Problem,
    Service,
    namespace_of,
)

__all__ = [
    "AGREEMENT_KINDS",
    "KIND_MODELS",
    "OLA",
    "SLA",
    "UC",
    "Agreement",
    "AnyDocument",
    "Calendar",
    "DataSource",
    "EscalationPolicy",
    "Freeze",
    "Improvement",
    "Indicator",
    "Objective",
    "Policy",
    "Problem",
    "Service",
    "Window",
    "namespace_of",
]
