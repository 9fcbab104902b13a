"""Small valid definitions shared by the validate CLI tests."""

SERVICE = """apiVersion: slactl/v1
kind: Service
metadata: {id: payments-api}
spec: {tier: critical}
"""

SLA = """apiVersion: slactl/v1
kind: SLA
metadata: {id: gold}
spec:
  level: customer
  services: [payments-api]
  status: active
  version: 1
  effective: 2026-01-01
  objectives:
    - {id: availability, indicator: availability, source: probes, target: 99.9, warning: 99.95}
"""

PROBES = """apiVersion: slactl/v1
kind: DataSource
metadata: {id: probes}
spec: {type: probes, path: data/*.csv}
"""
