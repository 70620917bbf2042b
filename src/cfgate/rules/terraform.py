"""CFG10x: problems in the Terraform itself that evaluation finds (cycles, modules it cannot follow)."""

from __future__ import annotations

from typing import Iterable

from ..models import Evaluation, Example, RuleMeta
from .base import Context, evaluation

LOCALS_CYCLE = RuleMeta(
    id="CFG102",
    name="terraform-locals-cycle",
    title="Terraform locals refer to each other in a cycle",
    severity="error",
    rationale=(
        "Terraform rejects a configuration whose locals depend on each other in a loop (\"Cycle: local.a, local.b\"). "
        "Every value that reads them is unknown to cfgate as well, so the cycle is reported where it starts."
    ),
    fix="Break the cycle: compute one of the locals from variables or literals instead of from the other.",
    bad=Example(files={"main.tf": "locals {\n  a = local.b + 1\n  b = local.a + 1\n}\n"}),
    good=Example(files={"main.tf": "locals {\n  a = 1\n  b = local.a + 1\n}\n"}),
)

MODULE_NOT_FOLLOWED = RuleMeta(
    id="CFG103",
    name="terraform-module-not-followed",
    title="A module call cfgate cannot follow: its resources are not checked",
    severity="warning",
    rationale=(
        "cfgate follows local module sources (./modules/x) and evaluates them with the caller's arguments. A registry "
        "or git source is never fetched (cfgate works offline and never runs code), so whatever that module creates is "
        "unchecked. This is reported as unknown, not as a pass, so the gap is visible."
    ),
    fix="Vendor the module into the repository (a local path), or check it in its own repository with cfgate.",
    bad=Example(files={"main.tf": 'module "vpc" {\n  source = "terraform-google-modules/network/google"\n}\n'}),
    good=Example(files={"main.tf": 'module "vpc" {\n  source = "./modules/vpc"\n}\n', "modules/vpc/main.tf": 'variable "x" {\n  default = 1\n}\n'}),
)


class LocalsCycle:
    meta = LOCALS_CYCLE

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        for problem in ctx.terraform.problems:
            if problem.kind == "cycle":
                yield evaluation(self.meta, "fail", problem.message, problem.location, problem.subject)


class ModuleNotFollowed:
    meta = MODULE_NOT_FOLLOWED

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        for problem in ctx.terraform.problems:
            if problem.kind in ("module-not-followed", "module-missing"):
                yield evaluation(self.meta, "unknown", f"{problem.subject} is not checked", problem.location,
                                 problem.subject, reason=problem.message)


TERRAFORM_RULES = (LocalsCycle(), ModuleNotFollowed())
