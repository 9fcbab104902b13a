"""Interoperability: OpenSLO and slo-generator definitions in, OpenSLO out (docs/interop.md)."""

from __future__ import annotations

from slactl.findings import Severity

# Finding ids of `slactl import` and `slactl export`, with their usual severity and a summary.
INTEROP_FINDINGS: dict[str, tuple[Severity, str]] = {
    "openslo-invalid": (Severity.ERROR, "An OpenSLO document breaks the OpenSLO specification."),
    "openslo-unsupported": (Severity.WARNING, "Valid OpenSLO that slactl cannot express; the severity says how much "
                                              "is left out."),
    "openslo-assumed": (Severity.INFO, "A choice made while converting OpenSLO (indicator kind, units, paths)."),
    "slo-generator-invalid": (Severity.ERROR, "An slo-generator config or error-budget policy breaks its format."),
    "slo-generator-unsupported": (Severity.WARNING, "Valid slo-generator configuration that slactl cannot express."),
    "slo-generator-assumed": (Severity.INFO, "A choice made while converting slo-generator (window, units, paths)."),
    "import-exists": (Severity.ERROR, "A file an import or export would write exists already; nothing is written."),
    "import-invalid-output": (Severity.ERROR, "A converted document does not validate; it is not written."),
    "import-duplicate": (Severity.ERROR, "Two imported definitions produce the same agreement."),
    "export-unsupported": (Severity.WARNING, "Part of an agreement that OpenSLO cannot express."),
}
