"""Capacities from evaluated Terraform: Cloud SQL connections, Cloud Run instances/timeout/concurrency."""

from __future__ import annotations

import pytest

from cfgate.models import Unknown
from cfgate.parsers.terraform import parse_terraform
from cfgate.terraform.capacity import databases, duration_seconds, services
from cfgate.terraform.resolve import resolve


def sql(settings: str, version: str = "POSTGRES_15") -> str:
    return f'resource "google_sql_database_instance" "db" {{\n  name = "db"\n  database_version = "{version}"\n  settings {{\n{settings}  }}\n}}\n'


def capacity(text: str):
    (db,) = databases(resolve([parse_terraform("db.tf", text)]))
    return db.max_connections


def test_explicit_flag_wins_over_tier():
    figure = capacity(sql('    tier = "db-custom-2-7680"\n    database_flags {\n      name  = "cloudsql.iam_authentication"\n      value = "on"\n    }\n'
                          '    database_flags {\n      name  = "max_connections"\n      value = "100"\n    }\n'))
    assert figure.value == 100 and figure.location.line == 12 and "database flag max_connections" in figure.source


@pytest.mark.parametrize("tier, version, expected", [
    ("db-f1-micro", "POSTGRES_15", 25),
    ("db-g1-small", "POSTGRES_15", 50),
    ("db-custom-2-7680", "POSTGRES_15", 400),
    ("db-custom-1-3840", "POSTGRES_15", 100),
    ("db-n1-standard-16", "POSTGRES_15", 800),
    ("db-f1-micro", "MYSQL_8_0", 250),
    ("db-custom-4-16384", "MYSQL_8_0", 4000),
])
def test_tier_defaults(tier, version, expected):
    assert capacity(sql(f'    tier = "{tier}"\n', version)).value == expected


def test_unknown_tier_and_dynamic_flags_stay_unknown():
    assert isinstance(capacity(sql('    tier = "db-perf-optimized-N-8"\n')).value, Unknown)
    dynamic = sql('    tier = "db-f1-micro"\n    dynamic "database_flags" {\n      for_each = var.flags\n      content {\n        name  = database_flags.key\n        value = database_flags.value\n      }\n    }\n')
    assert isinstance(capacity('variable "flags" {}\n' + dynamic).value, Unknown)


def test_cloud_run_v2_figures_and_defaults():
    text = ('resource "google_cloud_run_v2_service" "api" {\n  name = "api"\n  location = "us-central1"\n  template {\n    timeout = "120s"\n'
            '    scaling {\n      max_instance_count = 10\n    }\n  }\n}\n'
            'resource "google_cloud_run_v2_service" "worker" {\n  name = "w"\n  location = "us-central1"\n  template {}\n}\n')
    api, worker = services(resolve([parse_terraform("run.tf", text)]))
    assert (api.max_instances.value, api.timeout_s.value, api.concurrency.value) == (10, 120, 80)
    assert api.max_instances.location.line == 7
    assert (worker.max_instances.value, worker.timeout_s.value) == (100, 300) and "default" in worker.max_instances.source


def test_cloud_run_v1_annotations():
    text = ('resource "google_cloud_run_service" "api" {\n  name = "api"\n  location = "us-central1"\n  template {\n    metadata {\n'
            '      annotations = {\n        "autoscaling.knative.dev/maxScale" = "7"\n      }\n    }\n    spec {\n      container_concurrency = 20\n'
            '      timeout_seconds = 60\n    }\n  }\n}\n')
    (api,) = services(resolve([parse_terraform("run.tf", text)]))
    assert (api.max_instances.value, api.timeout_s.value, api.concurrency.value) == (7, 60, 20)


@pytest.mark.parametrize("text, seconds", [("300s", 300), ("1.5s", 1.5), ("5m", 300), (120, 120), ("1500ms", 1.5)])
def test_durations(text, seconds):
    assert duration_seconds(text) == seconds
