"""Terraform parser: every attribute located on its own line; literals typed; expressions Unknown."""

from __future__ import annotations

import pytest

from cfgate.models import Unknown
from cfgate.parsers.terraform import HclSyntaxError, parse_terraform

MAIN = '''\
variable "connector_max" {
  type    = number
  default = 10
}

locals {
  region = "us-central1"
  max    = var.connector_max * 2
}

resource "google_vpc_access_connector" "connector" {
  name          = "staging-${local.region}"
  min_instances = 2 # inline comment
  max_instances = var.connector_max
  machine_type  = "e2-micro"
  tags          = ["a", "b"]
  labels        = { team = "platform", "tier" = 1 }
  enabled       = true
  nothing       = null
  escaped       = "a\\"b\\n$${literal}"

  subnet {
    name = "subnet-a"
  }
  subnet {
    name = "subnet-b"
  }
}

data "google_compute_network" "vpc" {
  name = "staging-vpc"
}

module "vpc" {
  source = "./modules/vpc"
  size   = 3
}
'''


def test_blocks_and_attributes_with_lines():
    tf = parse_terraform("main.tf", MAIN)
    by_address = {b.address: b for b in tf.blocks}
    assert list(by_address) == ["var.connector_max", "locals", "google_vpc_access_connector.connector",
                                "data.google_compute_network.vpc", "module.vpc"]
    connector = by_address["google_vpc_access_connector.connector"]
    assert connector.location.line == 11 and connector.location.end_line == 28
    lines = {name: attr.location.line for name, attr in connector.attributes.items()}
    assert lines == {"name": 12, "min_instances": 13, "max_instances": 14, "machine_type": 15, "tags": 16,
                     "labels": 17, "enabled": 18, "nothing": 19, "escaped": 20}
    assert connector.attributes["min_instances"].location.column == 3


def test_literals_are_typed_and_expressions_unknown():
    attrs = {b.address: b for b in parse_terraform("main.tf", MAIN).blocks}["google_vpc_access_connector.connector"].attributes
    assert attrs["min_instances"].value == 2
    assert attrs["machine_type"].value == "e2-micro"
    assert attrs["tags"].value == ["a", "b"]
    assert attrs["labels"].value == {"team": "platform", "tier": 1}
    assert attrs["enabled"].value is True
    assert attrs["nothing"].value is None
    assert attrs["escaped"].value == 'a"b\n${literal}'
    for name in ("name", "max_instances"):
        assert isinstance(attrs[name].value, Unknown)
    assert attrs["max_instances"].value.expr == "var.connector_max"
    assert attrs["name"].value.expr == '"staging-${local.region}"'


def test_repeated_nested_blocks_and_other_block_kinds():
    blocks = {b.address: b for b in parse_terraform("main.tf", MAIN).blocks}
    subnets = blocks["google_vpc_access_connector.connector"].nested("subnet")
    assert [(s.attributes["name"].value, s.location.line) for s in subnets] == [("subnet-a", 22), ("subnet-b", 25)]
    assert blocks["var.connector_max"].attributes["default"].value == 10
    assert isinstance(blocks["locals"].attributes["max"].value, Unknown)
    assert blocks["module.vpc"].attributes["source"].value == "./modules/vpc"


def test_heredocs():
    text = 'locals {\n  a = <<EOT\nhello\nworld\nEOT\n  b = <<-EOT\n    indented\n      more\n    EOT\n  c = <<EOT\n${var.x}\nEOT\n}\n'
    attrs = parse_terraform("h.tf", text).blocks[0].attributes
    assert attrs["a"].value == "hello\nworld\n"
    assert attrs["b"].value == "indented\n  more\n"
    assert isinstance(attrs["c"].value, Unknown)
    assert [attrs[k].location.line for k in "abc"] == [2, 6, 10]


def test_tfvars_and_duplicates():
    tfvars = parse_terraform("staging.tfvars", 'connector_max = 100\nregion = "eu"\n')
    assert tfvars.is_tfvars and {k: (a.value, a.location.line) for k, a in tfvars.attributes.items()} == {
        "connector_max": (100, 1), "region": ("eu", 2)}
    block = parse_terraform("d.tf", 'resource "x" "y" {\n  a = 1\n  a = 2\n}\n').blocks[0]
    assert block.attributes["a"].value == 2 and block.attributes["a"].location.line == 3
    assert [d.location.line for d in block.duplicates] == [2]


def test_crlf_and_no_final_newline():
    text = 'resource "x" "y" {\r\n  a = 1\r\n  b = "two"\r\n}'.replace("\r\n", "\n")
    block = parse_terraform("c.tf", text).blocks[0]
    assert {k: (a.value, a.location.line) for k, a in block.attributes.items()} == {"a": (1, 2), "b": ("two", 3)}


@pytest.mark.parametrize("text, line", [
    ('resource "x" "y" {\n  a = 1\n', 3),
    ('resource "x" "y" {\n  a = = 1\n}\n', 2),
    ('resource "x" "y" {\n  a = "unterminated\n}\n', 2),
])
def test_syntax_errors_carry_positions(text, line):
    with pytest.raises(HclSyntaxError) as info:
        parse_terraform("bad.tf", text)
    assert info.value.line == line


def test_a_parse_that_does_not_finish_is_a_syntax_finding(monkeypatch):
    """python-hcl2's lexer can loop on some corrupt inputs; cfgate bounds each parse in time."""
    import time

    import hcl2

    import cfgate.parsers.terraform as terraform

    monkeypatch.setattr(terraform, "PARSE_TIMEOUT_S", 0.2)
    monkeypatch.setattr(hcl2, "parses", lambda text: time.sleep(5))
    started = time.monotonic()
    with pytest.raises(HclSyntaxError, match="did not finish within 0.2 s"):
        parse_terraform("slow.tf", "a = 1\n")
    assert time.monotonic() - started < 2
