"""Which env layer the live stages use: the one the probes read and the test command receives.

A stage needs exactly one resolved environment. It is, in order: the layer named by
``--env-layer``, the ``env_layer`` setting, else the only layer there is. Declared layers come from
``[tool.cfgate.env_layers]``; without declarations every env file among the inputs is a layer of its
own, named by its path, except example files (``.env.example``, ``.env.template``...), whose values
are placeholders. Several candidates and no choice is a usage error that lists them.
"""

from __future__ import annotations

from ..envlayer import EnvLayer, build_layers
from ..rules.env_hygiene import is_example_file
from ..sources import UsageError, Workspace


def choose_layer(workspace: Workspace, declared: dict[str, list[str]], name: str | None) -> EnvLayer | None:
    """The env layer to probe and hand to the command, or None when the inputs hold no env file."""
    env_files = workspace.env if declared else [env for env in workspace.env if not is_example_file(env.path)]
    layers = build_layers(env_files, declared)
    names = [layer.name for layer in layers]
    if name is not None:
        for layer in layers:
            if layer.name == name:
                if not layer.files:
                    raise UsageError(f"--env-layer {name}: none of its env files ({', '.join(declared.get(name, []))}) "
                                     "is among the scanned paths")
                return layer
        choices = ", ".join(names) if names else "none (no env file among the scanned paths)"
        raise UsageError(f"--env-layer {name!r}: no such env layer; choose one of: {choices}")
    usable = [layer for layer in layers if layer.files]
    if not usable:
        return None
    if len(usable) == 1:
        return usable[0]
    raise UsageError(
        f"the scanned paths hold {len(usable)} env layers ({', '.join(layer.name for layer in usable)}); "
        "choose the one to probe with --env-layer NAME (or env_layer in the settings)"
    )
