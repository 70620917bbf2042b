"""Module evaluation: variable precedence, provenance in findings, module calls, count/for_each."""

from __future__ import annotations

import json
from pathlib import Path

from clirunner import run_cli

from cfgate.models import Unknown
from cfgate.parsers.terraform import parse_terraform
from cfgate.terraform.resolve import TfOptions, resolve

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "rules"


def findings(case: str, *args: str, monkeypatch) -> list[dict]:
    monkeypatch.chdir(CASES / case)
    result = run_cli(["check", ".", "--format", "json", "--exclude", "case.yaml", "--select", "CFG113", "--select", "CFG112", *args])
    assert result.code in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def test_each_module_call_is_checked_with_its_own_inputs_and_named(monkeypatch):
    (large,) = findings("CFG113/module-called-twice", monkeypatch=monkeypatch)
    assert large["subject"] == "module.large.google_vpc_access_connector.this.max_instances"
    assert large["value"] == 50
    assert large["message"].startswith("module.large.google_vpc_access_connector.this: max_instances = 50")
    assert "module.large called at main.tf:11" in large["message"]
    assert "the default of var.connector_max at main.tf:3" in large["message"]


def test_for_each_instance_key_in_subject(monkeypatch):
    (us,) = findings("CFG113/for-each-regions", monkeypatch=monkeypatch)
    assert us["subject"] == 'google_vpc_access_connector.regional["us-central1"].max_instances' and us["value"] == 20


def test_finding_says_which_file_set_the_value(monkeypatch):
    (finding,) = findings("CFG113/var-file-and-var", "--var-file", "staging.tfvars", "--var", "connector_min=12", monkeypatch=monkeypatch)
    assert finding["value"] == 12 and "var.connector_min set by --var connector_min=" in finding["message"]
    (only,) = findings("CFG113/tfvars-overrides-default", monkeypatch=monkeypatch)
    assert "var.connector_max set at terraform.tfvars:1" in only["message"]


def test_var_file_outside_the_scanned_tree(tmp_path, monkeypatch):
    root = tmp_path / "infra"
    root.mkdir()
    (root / "main.tf").write_text('variable "m" {\n  type = number\n}\nresource "google_vpc_access_connector" "c" {\n  max_instances = var.m\n}\n')
    (tmp_path / "prod.tfvars").write_text("m = 11\n")
    monkeypatch.chdir(tmp_path)
    result = run_cli(["check", "infra", "--format", "json", "--var-file", "prod.tfvars", "--select", "CFG113"])
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["value"] == 11 and "prod.tfvars:1" in finding["message"]
    assert run_cli(["check", "infra", "--var-file", "missing.tfvars"]).code == 2


def test_count_expansion_and_unknown_count():
    main = parse_terraform("main.tf", 'variable "n" {}\nresource "x" "a" {\n  count = 2\n  v = count.index * 10\n}\nresource "x" "b" {\n  count = var.n\n  v = 1\n}\n')
    resolution = resolve([main])
    values = {i.address: i.attributes["v"].value for i in resolution.instances}
    assert values == {"x.a[0]": 0, "x.a[1]": 10, "x.b[?]": 1}


def test_tf_var_environment_sits_just_above_defaults():
    main = parse_terraform("main.tf", 'variable "n" {\n  type = number\n  default = 1\n}\nresource "x" "a" {\n  v = var.n\n}\n')
    tfvars = parse_terraform("terraform.tfvars", "n = 3\n")
    assert resolve([main], TfOptions(environ={"TF_VAR_n": "2"})).instances[0].attributes["v"].value == 2
    assert resolve([main, tfvars], TfOptions(environ={"TF_VAR_n": "2"})).instances[0].attributes["v"].value == 3


def test_remote_and_missing_modules_are_problems_not_crashes():
    main = parse_terraform("main.tf", 'module "a" {\n  source = "git::https://example.invalid/x.git"\n}\nmodule "b" {\n  source = "./nowhere"\n}\n')
    kinds = sorted((p.kind, p.location.line) for p in resolve([main]).problems)
    assert kinds == [("module-missing", 5), ("module-not-followed", 2)]


def test_unknown_carries_the_chain():
    main = parse_terraform("main.tf", 'variable "n" {}\nlocals {\n  doubled = var.n * 2\n}\nresource "x" "a" {\n  v = local.doubled + 1\n}\n')
    value = resolve([main]).instances[0].attributes["v"].value
    assert isinstance(value, Unknown) and "var.n" in value.reason


def test_module_outputs_reach_the_caller():
    child = parse_terraform("modules/m/main.tf", 'variable "n" {}\noutput "twice" {\n  value = var.n * 2\n}\noutput "id" {\n  value = x.y.id\n}\n')
    root = parse_terraform("main.tf", 'module "m" {\n  source = "./modules/m"\n  n = 4\n}\nmodule "many" {\n  source = "./modules/m"\n  count = 2\n  n = count.index\n}\n'
                           'resource "r" "a" {\n  v = module.m.twice\n  w = module.many[1].twice\n  u = module.m.id\n}\n')
    (instance,) = [i for i in resolve([child, root]).instances if i.address == "r.a"]
    assert instance.attributes["v"].value == 8 and instance.attributes["w"].value == 2
    assert isinstance(instance.attributes["u"].value, Unknown)
    assert [str(o) for o in instance.attributes["v"].origins] == ["an output of module.m at main.tf:1"]
