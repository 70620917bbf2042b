#!/usr/bin/env python3
"""Terraform evaluation budget (issue 3): evaluation adds < 25% over parse time on 2,000 generated .tf files.

Generates a tree of root modules, each with variables, locals, a tfvars file, resources with
count/for_each and two calls of a shared local module, then measures in one process:

- parse: reading and parsing every file (python-hcl2 into cfgate's models);
- evaluate: variables in Terraform's precedence, locals, module calls, count/for_each and the
  provider rules over every evaluated resource.

    python3 bench/bench_terraform.py [--files 2000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

MODULE = '''variable "max_instances" {
  type = number
}

variable "region" {
  type    = string
  default = "us-central1"
}

locals {
  name = "conn-${var.region}"
  size = min(var.max_instances, 10)
}

resource "google_vpc_access_connector" "this" {
  name          = local.name
  region        = var.region
  min_instances = 2
  max_instances = local.size
  machine_type  = "e2-micro"
}
'''

ROOT_FILE = '''variable "connector_max_{i}" {{
  type    = number
  default = {default}
}}

locals {{
  regions_{i} = {{ eu = 3, us = {us} }}
  tier_{i}    = var.connector_max_{i} > 5 ? "large" : "small"
  label_{i}   = format("%s-%d", local.tier_{i}, var.connector_max_{i})
}}

resource "google_vpc_access_connector" "c_{i}" {{
  for_each      = local.regions_{i}
  name          = "c-{i}-${{each.key}}"
  region        = each.key
  min_instances = 2
  max_instances = each.value + {i} % 3
  machine_type  = local.tier_{i} == "large" ? "e2-standard-4" : "e2-micro"
}}

resource "google_compute_address" "a_{i}" {{
  count  = 2
  name   = "addr-{i}-${{count.index}}"
  labels = {{ owner = local.label_{i} }}
}}

module "m_{i}" {{
  source        = "../modules/connector"
  max_instances = var.connector_max_{i} * 2
  region        = "europe-west1"
}}
'''


def generate(root: Path, files: int) -> None:
    per_dir = 20
    (root / "modules" / "connector").mkdir(parents=True)
    (root / "modules" / "connector" / "main.tf").write_text(MODULE)
    for i in range(files - 1):
        directory = root / f"stack{i // per_dir:03d}"
        directory.mkdir(exist_ok=True)
        (directory / f"f{i:04d}.tf").write_text(ROOT_FILE.format(i=i, default=i % 12, us=i % 15).replace("../modules", "../modules"))
        if i % per_dir == 0:
            (directory / "terraform.tfvars").write_text(f"connector_max_{i} = 7\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="cfgate-bench-"))
    if not any(work.iterdir()) if work.exists() else True:
        work.mkdir(parents=True, exist_ok=True)
        generate(work, args.files)
    os.chdir(work)

    import gc

    gc.set_threshold(100_000, 50, 1000)  # as cfgate's entry point does
    from cfgate.engine import evaluate
    from cfgate.rules.registry import build_catalog
    from cfgate.sources import load_workspace
    from cfgate.parsers.terraform import parse_terraform

    parse_terraform("warm.tf", 'a = 1\n')  # the grammar cache, once
    rules = build_catalog().active()
    start = time.perf_counter()
    workspace = load_workspace(["."])
    parsed = time.perf_counter()
    result = evaluate(workspace, rules, __import__("datetime").date(2025, 9, 19))
    done = time.perf_counter()
    parse_s, eval_s = parsed - start, done - parsed
    tf_files = sum(1 for f in workspace.files if f.endswith(".tf"))
    print(f"files: {len(workspace.files)} ({tf_files} .tf); evaluations: {len(result.evaluations)}; "
          f"findings: {len(result.findings)}")
    print(f"parse     {parse_s:7.2f} s")
    print(f"evaluate  {eval_s:7.2f} s  ({eval_s / parse_s:.0%} of parse; budget 25%)")
    return 0 if eval_s < 0.25 * parse_s else 1


if __name__ == "__main__":
    sys.exit(main())
