"""The rule catalog: an explicit list of code rules, plus the rules the loaded policy files define.

Built-in packs in ``policy/builtin/`` (provider limits, as data) are always loaded; the remediation
policy is ``policy/default.yaml`` unless ``--policy`` names others. Selectors accept an id, a name,
an alias or an id prefix (a family): ``CFG113``, ``vpc-connector-max-instances-out-of-range``, ``CFG1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..models import RuleMeta
from ..policies.loader import LoadedPolicy, PolicyError, load_policy
from ..policies.model import BypassRule, RelationRule, RuleBase
from .base import Rule
from .bypass import BypassPolicyRule
from .threshold import ThresholdPolicyRule
from .tool import TOOL_RULES
from .waiver_rules import WAIVER_RULES


def policy_dir() -> Path:
    """Where the shipped policy files live: inside the wheel, or at the top of a source checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_policy", here.parent.parent / "policy"):
        if (candidate / "default.yaml").is_file():
            return candidate
    raise FileNotFoundError("cfgate's policy files are missing from this installation; reinstall cfgate")


def default_policy_path() -> Path:
    return policy_dir() / "default.yaml"


def builtin_pack_paths() -> list[Path]:
    return sorted((policy_dir() / "builtin").glob("*.yaml"))


def meta_of(rule: RuleBase, origin: str) -> RuleMeta:
    return RuleMeta(
        id=rule.id, name=rule.name, title=rule.title, severity=rule.severity, rationale=rule.rationale,
        aliases=tuple(rule.aliases), bad=rule.bad, good=rule.good, fix=rule.fix, references=tuple(rule.references),
        origin=origin, family=_family(rule.id),
    )


def _family(rule_id: str) -> str:
    digits = re.sub(r"^[A-Z]+", "", rule_id)
    return digits[:1]


def compile_rule(rule: RuleBase, origin: str) -> Rule:
    meta = meta_of(rule, origin)
    if isinstance(rule, BypassRule):
        return BypassPolicyRule(meta, rule)
    if isinstance(rule, RelationRule):
        from .relation import RelationPolicyRule  # loads the CEL library: only policies with relations pay

        return RelationPolicyRule(meta, rule)
    return ThresholdPolicyRule(meta, rule)  # type: ignore[arg-type]


@dataclass
class Catalog:
    rules: list[Rule] = field(default_factory=list)
    policies: list[LoadedPolicy] = field(default_factory=list)
    disabled: set[str] = field(default_factory=set)  # ids disabled in their policy file (enabled: false)

    def find(self, token: str) -> list[Rule]:
        """Rules a selector token names: exact id, name or alias, else an id prefix."""
        exact = [r for r in self.rules if token in (r.meta.id, r.meta.name, *r.meta.aliases)]
        if exact:
            return exact
        if re.fullmatch(r"[A-Z]+[0-9]*", token):
            return [r for r in self.rules if r.meta.id.startswith(token)]
        return []

    def active(self, select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> list[Rule]:
        """Rules to run. A family prefix selects its enabled rules; an exact id or name also turns on a rule
        that is off by default."""
        chosen = [r for r in self.rules if r.meta.id not in self.disabled]
        if select:
            wanted: set[str] = set()
            for token in select:
                for rule in self._resolve(token):
                    exact = token in (rule.meta.id, rule.meta.name, *rule.meta.aliases)
                    if exact or rule.meta.id not in self.disabled:
                        wanted.add(rule.meta.id)
            chosen = [r for r in self.rules if r.meta.id in wanted]
        unwanted = {r.meta.id for token in ignore for r in self._resolve(token)}
        return [r for r in chosen if r.meta.id not in unwanted]

    def _resolve(self, token: str) -> list[Rule]:
        found = self.find(token)
        if not found:
            raise UnknownSelector(token)
        return found


class UnknownSelector(Exception):
    def __init__(self, token: str) -> None:
        super().__init__(f"no rule is named {token!r}: give an id (CFG113), a name or an id prefix (CFG1); `cfgate rules` lists them")


def build_catalog(policy_paths: list[str] | None = None) -> Catalog:
    """Load code rules, the built-in packs, and the given policies (the default one when none)."""
    from .env_hygiene import ENV_HYGIENE_RULES
    from .probes import PROBE_RULES
    from .cross import CROSS_RULES
    from .terraform import TERRAFORM_RULES

    # PROBE_RULES (family 9) are evaluated by the probe stage (cfgate probe, cfgate run), never statically
    # WAIVER_RULES (CFG01x) judge waivers after every other rule ran (cfgate.waivers), against their findings
    code_rules = [*TOOL_RULES, *WAIVER_RULES, *TERRAFORM_RULES, *ENV_HYGIENE_RULES, *CROSS_RULES, *PROBE_RULES]
    # a code rule is off by default when its class says default_enabled = False (--select still runs it)
    catalog = Catalog(rules=code_rules, disabled={r.meta.id for r in code_rules if not getattr(r, "default_enabled", True)})
    packs = [(p, f"builtin:{p.stem}") for p in builtin_pack_paths()]
    chosen = [(Path(p), p) for p in policy_paths] if policy_paths else [(default_policy_path(), "default")]
    seen: dict[str, str] = {r.meta.id: "builtin" for r in catalog.rules} | {r.meta.name: "builtin" for r in catalog.rules}
    for path, shown in packs + chosen:
        loaded = load_policy(path, display=shown if not shown.startswith("builtin:") else f"{shown} ({path.name})")
        catalog.policies.append(loaded)
        for rule in loaded.policy.rules:
            for token in (rule.id, rule.name):
                if token in seen:
                    raise PolicyError(loaded.path, 1, f"/rules/{loaded.policy.rules.index(rule)}/id",
                                      f"{token!r} is already defined by {seen[token]}; rule ids and names must be unique")
                seen[token] = loaded.path
            catalog.rules.append(compile_rule(rule, loaded.path))
            if not rule.enabled:
                catalog.disabled.add(rule.id)
    return catalog
