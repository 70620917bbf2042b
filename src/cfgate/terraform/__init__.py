"""Terraform support: evaluating HCL expressions the way Terraform does.

Kept import-light on purpose (``import cfgate`` must stay fast): import the submodules you
need, e.g. ``from cfgate.terraform.evaluator import Scope, evaluate_text``. python-hcl2 is only
imported when an expression is actually parsed.
"""
