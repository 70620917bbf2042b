"""The policy's ``probes:`` section: shape, strictness, the default, and one section per run."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from cfgate.policies.loader import PolicyError, load_policy
from cfgate.policies.model import ProbeKindName
from cfgate.probes import PROBE_KINDS
from cfgate.rules.registry import build_catalog, default_policy_path
from cfgate.stages.policy import probe_policy

HEADER = "version: 1\nname: p\nrules: []\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_policy_kinds_are_the_probe_kinds() -> None:
    assert get_args(ProbeKindName) == PROBE_KINDS


def test_default_policy_caps_timeouts_and_lets_the_seed_flags_cover_every_probe() -> None:
    spec = load_policy(default_policy_path()).policy.probes
    assert spec.max_timeout_s == 300
    assert spec.defaults.attempts == 3 and spec.defaults.warmup_s == {"postgres": 45, "dns": 60, "tcp": 60, "redis": 60, "http": 60}
    [entry] = spec.bypass
    assert entry.flags == ["EMERGENCY_DEVELOPMENT_MODE", "BYPASS_INFRASTRUCTURE_VALIDATION"]
    assert entry.probes == "*" and entry.rule == "CFG210"


def test_a_typo_in_the_probes_section_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", HEADER + "probes:\n  max_timeout_s: 10\n  bypas:\n    - flags: [X]\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert caught.value.line == 6 and "bypas" in str(caught.value)


def test_a_target_needs_a_known_kind(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", HEADER + "probes:\n  targets:\n    - {name: a, kind: smtp, address: 'x:25'}\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert caught.value.line == 6 and "smtp" in str(caught.value)


def test_two_policies_with_probes_are_refused(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", HEADER + "probes: {max_timeout_s: 5}\n")
    second = write(tmp_path, "b.yaml", HEADER + "probes: {max_timeout_s: 9}\n")
    catalog = build_catalog([str(first), str(second)])
    with pytest.raises(PolicyError, match="has a probes section already"):
        probe_policy(catalog.policies)


def test_a_policy_without_probes_probes_the_configuration_with_no_bypass(tmp_path: Path) -> None:
    catalog = build_catalog([str(write(tmp_path, "a.yaml", HEADER))])
    policy = probe_policy(catalog.policies)
    assert policy.spec.from_config and policy.spec.bypass == [] and policy.file is None


def test_target_lines_come_from_the_policy_file(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", HEADER + "probes:\n  targets:\n    - name: api\n      kind: http\n      address: http://x/\n")
    policy = probe_policy(build_catalog([str(path)]).policies)
    location = policy.location("/probes/targets/0")
    assert (location.file, location.line) == (str(path), 6)
