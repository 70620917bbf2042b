"""The ``probes:`` section of the loaded policies, and where each of its entries sits.

At most one loaded policy may have a ``probes:`` section: two would leave it unclear which cap,
deadline or bypass coverage applies, so that is a policy error naming both files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..models import Location
from ..policies.loader import LoadedPolicy, PolicyError
from ..policies.model import ProbesSpec


@dataclass(frozen=True)
class ProbePolicy:
    """The probes section in force, the policy file it came from and its lines (JSON pointer -> line)."""

    spec: ProbesSpec
    file: str | None = None
    lines: dict[str, int] = field(default_factory=dict)

    def location(self, pointer: str) -> Location:
        """``policy.yaml:12`` for ``/probes/targets/0``; the nearest enclosing line when the exact one is unknown."""
        probe = pointer
        while probe and probe not in self.lines:
            probe = probe.rsplit("/", 1)[0]
        return Location(file=self.file or "<policy>", line=self.lines.get(probe, 1))


def _real_path(loaded: LoadedPolicy) -> Path | None:
    """The file behind a loaded policy (the catalog shows the default policy as ``default``)."""
    from ..rules.registry import builtin_pack_paths, default_policy_path

    if loaded.path == "default":
        return default_policy_path()
    if loaded.path.startswith("builtin:"):
        stem = loaded.path.split(":", 1)[1].split(" ", 1)[0]
        return next((p for p in builtin_pack_paths() if p.stem == stem), None)
    return Path(loaded.path)


def _pointer_lines(path: Path | None) -> dict[str, int]:
    if path is None:
        return {}
    import yaml  # type: ignore[import-untyped]

    from ..policies.loader import (
        _pointer_lines as pointer_lines,  # the loader's own line map, reused
    )

    try:
        return pointer_lines(yaml.compose(path.read_text(encoding="utf-8-sig"), Loader=yaml.SafeLoader))
    except (OSError, yaml.YAMLError):
        return {}


def probe_policy(policies: list[LoadedPolicy]) -> ProbePolicy:
    """The one ``probes:`` section among ``policies``, or an empty one (probe what the config names)."""
    with_probes = [p for p in policies if "probes" in p.policy.model_fields_set]
    if not with_probes:
        return ProbePolicy(ProbesSpec())
    if len(with_probes) > 1:
        first, second = with_probes[0], with_probes[1]
        lines = _pointer_lines(_real_path(second))
        raise PolicyError(second.path, lines.get("/probes", 1), "/probes",
                          f"{first.path} has a probes section already; keep the probe stage in one policy file")
    loaded = with_probes[0]
    path = _real_path(loaded)
    shown = loaded.path
    if path is not None and (loaded.path == "default" or loaded.path.startswith("builtin:")):
        from ..sources import display_path

        shown = display_path(path)
    return ProbePolicy(loaded.policy.probes, shown, _pointer_lines(path))
