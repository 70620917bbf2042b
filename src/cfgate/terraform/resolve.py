"""Evaluate Terraform modules the way Terraform would before a plan: variables, locals, modules, count/for_each.

Variables are layered in Terraform's precedence (lowest first): the ``default`` in the
declaration, ``TF_VAR_name`` from the environment, ``terraform.tfvars``, ``terraform.tfvars.json``,
``*.auto.tfvars`` / ``*.auto.tfvars.json`` in lexical order, each ``--var-file`` in order, then each
``--var NAME=VALUE``. Every value remembers where it was set, so a finding can say
"from var.connector_max, set at staging.tfvars:3".

A directory that another scanned directory calls as a local module (``source = "./modules/x"``)
is evaluated once per call, with the call's arguments; any other directory is a root module.
Remote module sources are not followed and say so. What cannot be known before apply stays
:class:`~cfgate.models.values.Unknown` with its reason; nothing is guessed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Iterator, Mapping

from ..models import Location, Origin, TfAttribute, TfBlock, TfFile, Unknown

MAX_MODULE_DEPTH = 16
MAX_INSTANCES = 256  # count/for_each expansion per block


@dataclass(frozen=True)
class TfOptions:
    var_files: tuple[str, ...] = ()  # display paths, in order
    variables: tuple[tuple[str, str], ...] = ()  # --var NAME=VALUE, in order
    environ: Mapping[str, str] = field(default_factory=dict)  # for TF_VAR_name


@dataclass(frozen=True)
class VarValue:
    value: Any
    origins: tuple[Origin, ...] = ()


@dataclass
class Instance:
    """One evaluated resource, data source or module-call instance."""

    kind: str  # resource | data
    type: str
    name: str
    address: str  # module.vpc.google_vpc_access_connector.c["eu"]
    location: Location
    attributes: Mapping[str, Any]  # Evaluated attributes, evaluated on first access (LazyAttributes)
    trail: tuple[Origin, ...] = ()  # module calls that led here, outermost first


@dataclass
class Problem:
    """Something about the Terraform itself: a locals cycle, a module not followed."""

    kind: str  # cycle | module-not-followed | module-missing | module-depth
    location: Location
    message: str
    subject: str


@dataclass
class Resolution:
    instances: list[Instance] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    modules: dict[str, list[str]] = field(default_factory=dict)  # module dir -> call addresses evaluated


def module_dir(path: str) -> str:
    parent = str(PurePosixPath(path).parent)
    return "" if parent == "." else parent


def _join(base: str, relative: str) -> str:
    parts: list[str] = [p for p in base.split("/") if p] if base else []
    for part in relative.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            else:
                parts.append("..")
        else:
            parts.append(part)
    return "/".join(parts)


class Resolver:
    def __init__(self, files: list[TfFile], options: TfOptions) -> None:
        self.options = options
        self.dirs: dict[str, list[TfFile]] = {}
        self.tfvars: dict[str, list[TfFile]] = {}
        self.by_path = {f.path: f for f in files}
        for tf in files:
            (self.tfvars if tf.is_tfvars else self.dirs).setdefault(module_dir(tf.path), []).append(tf)
        self.result = Resolution()
        self.cycles_checked: set[str] = set()

    # -- entry -------------------------------------------------------------------------------
    def resolve(self) -> Resolution:
        called = {target for d in self.dirs for _, target, _ in self._calls(d) if target is not None}
        for directory in sorted(self.dirs):
            if directory not in called:
                self._module(directory, self._root_variables(directory), (), depth=0, prefix="")  # outputs unused at a root
        return self.result

    # -- variables ---------------------------------------------------------------------------
    def _declared(self, directory: str) -> dict[str, TfBlock]:
        return {b.labels[0]: b for tf in self.dirs.get(directory, []) for b in tf.blocks if b.kind == "variable" and b.labels}

    def _default(self, block: TfBlock) -> VarValue | None:
        attr = block.attributes.get("default")
        if attr is None:
            return None
        value = self._eval(attr, None)
        return VarValue(value, (Origin(what=f"the default of var.{block.labels[0]}", location=attr.location),))

    def _root_variables(self, directory: str) -> dict[str, VarValue]:
        declared = self._declared(directory)
        values: dict[str, VarValue] = {}
        for name, block in declared.items():
            default = self._default(block)
            if default is not None:
                values[name] = default
        for name in declared:
            env_value = self.options.environ.get(f"TF_VAR_{name}")
            if env_value is not None:
                values[name] = VarValue(self._cli_value(declared[name], env_value),
                                        (Origin(what=f"var.{name} set by TF_VAR_{name} in the environment"),))
        layered = [f for f in self.tfvars.get(directory, []) if PurePosixPath(f.path).name in ("terraform.tfvars", "terraform.tfvars.json")]
        layered.sort(key=lambda f: PurePosixPath(f.path).name != "terraform.tfvars")
        layered += sorted((f for f in self.tfvars.get(directory, []) if re.search(r"\.auto\.tfvars(\.json)?$", f.path)),
                          key=lambda f: PurePosixPath(f.path).name)
        for path in self.options.var_files:
            # A --var-file applies to the root module beside it, or to every root module when it sits in a
            # directory of its own (envs/staging.tfvars next to a root module at the top).
            tf = self.by_path.get(path)
            if tf is not None and tf.is_tfvars and (module_dir(tf.path) == directory or module_dir(tf.path) not in self.dirs):
                layered.append(tf)
        for tf in layered:
            for name, attr in tf.attributes.items():
                if name in declared:
                    values[name] = VarValue(self._typed(declared[name], self._eval(attr, None)),
                                            (Origin(what=f"var.{name} set", location=attr.location),))
        for name, text in self.options.variables:
            if name in declared:
                values[name] = VarValue(self._cli_value(declared[name], text),
                                        (Origin(what=f"var.{name} set by --var {name}=..."),))
        for name, block in declared.items():
            if name not in values:
                values[name] = VarValue(Unknown(expr=f"var.{name}", reason=f"var.{name} has no default and no value in any tfvars file, "
                                                "--var-file, --var or TF_VAR_" + name, chain=(f"var.{name}",)),
                                        (Origin(what=f"var.{name} declared", location=block.location),))
        return values

    def _constraint(self, block: TfBlock) -> Any:
        """The declared ``type`` of a variable (None when it has none)."""
        from .errors import EvalError
        from .variables import type_constraint

        attr = block.attributes.get("type")
        if attr is None or attr.node is None:
            return None
        tf = self.by_path.get(attr.location.file)
        try:
            return type_constraint(attr.node, tf.source if tf else "")
        except EvalError:
            return None

    def _cli_value(self, block: TfBlock, text: str) -> Any:
        """``-var`` / ``TF_VAR_`` text, read as Terraform reads it for the variable's type."""
        from .errors import EvalError
        from .variables import cli_var_value

        try:
            return cli_var_value(text, self._constraint(block))
        except EvalError as exc:
            return Unknown(expr=text, reason=f"invalid: {exc.message}")

    def _typed(self, block: TfBlock, value: Any) -> Any:
        """Convert a value to the variable's declared type, as Terraform does ("10" for type = number is 10)."""
        from .errors import EvalError
        from .variables import apply_type_constraint

        constraint = self._constraint(block)
        if constraint is None or isinstance(value, Unknown):
            return value
        try:
            return apply_type_constraint(value, constraint)
        except EvalError as exc:
            return Unknown(expr=repr(value), reason=f"invalid: {exc.message}")

    # -- evaluation --------------------------------------------------------------------------
    def _eval(self, attr: TfAttribute, scope: Any) -> Any:
        from .evaluator import Scope, evaluate_or_unknown

        if attr.node is None:
            return attr.value
        tf = self.by_path.get(attr.location.file)
        return evaluate_or_unknown(attr.node, scope or Scope(), tf.source if tf else "")

    def _calls(self, directory: str) -> list[tuple[TfBlock, str | None, TfFile]]:
        calls = []
        for tf in self.dirs.get(directory, []):
            for block in tf.blocks:
                if block.kind != "module" or not block.labels:
                    continue
                source = block.attributes.get("source")
                text = source.value if source is not None and isinstance(source.value, str) else None
                target = _join(directory, text) if text and text.startswith(("./", "../")) else None
                calls.append((block, target, tf))
        return calls

    def _module(self, directory: str, variables: dict[str, VarValue], trail: tuple[Origin, ...], depth: int,
                prefix: str) -> dict[str, Any]:
        from .evaluator import Scope

        files = self.dirs.get(directory, [])
        local_nodes: dict[str, tuple[Any, str]] = {}
        local_attrs: dict[str, TfAttribute] = {}
        for tf in files:
            for block in tf.blocks:
                if block.kind == "locals":
                    for name, attr in block.attributes.items():
                        local_nodes[name] = (attr.node, tf.source)
                        local_attrs[name] = attr
        scope = Scope(variables={n: v.value for n, v in variables.items()}, locals=local_nodes,
                      path_module=directory or ".", path_root=".", path_cwd=os.getcwd())
        if directory not in self.cycles_checked:
            self.cycles_checked.add(directory)
            for cycle in local_cycles(local_attrs):
                first = local_attrs[cycle[0]]
                chain = " -> ".join(f"local.{name}" for name in cycle)
                self.result.problems.append(Problem("cycle", first.location, f"locals refer to each other in a cycle: {chain}; Terraform rejects this", f"local.{cycle[0]}"))
        provenance = _Provenance(variables, local_attrs, {b.labels[0]: b.location for b, _, _ in self._calls(directory)})
        # Module calls first, in file order, so that module.NAME.OUTPUT is known to later calls and to the
        # resources here (their attributes are evaluated lazily, after this).
        if depth < MAX_MODULE_DEPTH:
            for block, target, tf in self._calls(directory):
                outputs = self._call(block, target, tf, scope, provenance, trail, depth, prefix)
                if outputs is not None:
                    scope.modules[block.labels[0]] = outputs
        for tf in files:
            for block in tf.blocks:
                if block.kind in ("resource", "data") and len(block.labels) >= 2:
                    self._expand(block, scope, provenance, trail, prefix)
        return self._outputs(files, scope)

    def _outputs(self, files: list[TfFile], scope: Any) -> dict[str, Any]:
        """The module's ``output`` values, evaluated in its scope (unknown where they read a resource)."""
        outputs: dict[str, Any] = {}
        for tf in files:
            for block in tf.blocks:
                if block.kind == "output" and block.labels and "value" in block.attributes:
                    outputs[block.labels[0]] = self._eval(block.attributes["value"], scope)
        return outputs

    def _instances(self, block: TfBlock, scope: Any) -> list[tuple[str, Any]]:
        """``(key suffix, scope)`` for each instance of a block with count/for_each; one plain instance otherwise."""
        count = block.attributes.get("count")
        for_each = block.attributes.get("for_each")
        if count is not None:
            value = self._eval(count, scope)
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_INSTANCES:
                return [(f"[{i}]", scope.with_count(i)) for i in range(value)]
            reason = value.reason if isinstance(value, Unknown) else f"count = {value!r} cannot be expanded"
            return [("[?]", scope.with_count(Unknown(expr=count.expr, reason=reason, chain=(count.expr,))))]
        if for_each is not None:
            value = self._eval(for_each, scope)
            if isinstance(value, dict) and len(value) <= MAX_INSTANCES:
                return [(f'["{k}"]', scope.with_each(k, v)) for k, v in sorted(value.items())]
            if isinstance(value, list) and all(isinstance(v, str) for v in value) and len(value) <= MAX_INSTANCES:
                return [(f'["{k}"]', scope.with_each(k, k)) for k in sorted(set(value))]
            reason = value.reason if isinstance(value, Unknown) else "for_each is not a known map or set of strings"
            unknown = Unknown(expr=for_each.expr, reason=reason, chain=(for_each.expr,))
            return [("[?]", scope.with_each(unknown, unknown))]
        return [("", scope)]

    def _expand(self, block: TfBlock, scope: Any, provenance: "_Provenance", trail: tuple[Origin, ...], prefix: str) -> None:
        base = block.address
        for suffix, inner in self._instances(block, scope):
            attributes = LazyAttributes(self, inner, provenance, trail)
            self._flatten(block, inner, provenance, trail, "", attributes)
            self.result.instances.append(Instance(block.kind, block.labels[0], block.labels[1], f"{prefix}{base}{suffix}",
                                                  block.location, attributes, trail))

    def _flatten(self, block: TfBlock, scope: Any, provenance: "_Provenance", trail: tuple[Origin, ...], path: str,
                 out: "LazyAttributes") -> None:
        for name, attr in block.attributes.items():
            if not path and name in ("count", "for_each", "depends_on", "provider", "lifecycle"):
                continue
            out.defer(path + name, attr)
        kinds: dict[str, list[TfBlock]] = {}
        for nested in block.blocks:
            if nested.kind == "dynamic" and nested.labels:
                marker = Unknown(expr=f'dynamic "{nested.labels[0]}"', reason="a dynamic block; its content is not expanded")
                out.put(f"{path}dynamic:{nested.labels[0]}", TfAttribute(name=nested.labels[0], value=marker, expr=marker.expr,
                                                                         location=nested.location))
                continue
            if nested.kind in ("lifecycle", "provisioner", "connection"):
                continue
            kinds.setdefault(nested.kind, []).append(nested)
        for kind, nested_blocks in kinds.items():
            for index, nested in enumerate(nested_blocks):
                label = f"{kind}." if len(nested_blocks) == 1 else f"{kind}[{index}]."
                self._flatten(nested, scope, provenance, trail, path + label, out)

    def _call(self, block: TfBlock, target: str | None, tf: TfFile, scope: Any, provenance: "_Provenance",
              trail: tuple[Origin, ...], depth: int, prefix: str) -> Any:
        """Evaluate a module call's instances; return its outputs as module.NAME sees them (None: not followed)."""
        name = block.labels[0]
        address = f"{prefix}module.{name}"
        source = block.attributes.get("source")
        if target is None:
            shown = source.expr if source is not None else "(no source)"
            self.result.problems.append(Problem("module-not-followed", (source or block).location,
                                                f"{address} uses source {shown}, which is not a local path; cfgate does not fetch remote modules, "
                                                "so the resources inside it are not checked", address))
            return None
        if target not in self.dirs:
            self.result.problems.append(Problem("module-missing", (source or block).location,
                                                f"{address} uses source {source.value!r}, but no .tf files were found at {target or '.'} among the inputs",
                                                address))
            return None
        declared = self._declared(target)
        instances = self._instances(block, scope)
        per_instance: list[tuple[str, dict[str, Any]]] = []
        for suffix, inner in instances:
            call_address = f"{address}{suffix}"
            here = Origin(what=f"{call_address} called", location=block.location)
            values: dict[str, VarValue] = {}
            for var_name, var_block in declared.items():
                argument = block.attributes.get(var_name)
                if argument is not None:
                    values[var_name] = VarValue(self._typed(var_block, self._eval(argument, inner)),
                                                provenance.of(argument) + (Origin(what=f"{call_address} argument {var_name}", location=argument.location),))
                else:
                    default = self._default(var_block)
                    values[var_name] = default or VarValue(Unknown(expr=f"var.{var_name}", reason=f"{call_address} does not pass {var_name} and it has no default",
                                                                   chain=(f"var.{var_name}",)))
            self.result.modules.setdefault(target, []).append(call_address)
            per_instance.append((suffix, self._module(target, values, trail + (here,), depth + 1, prefix=f"{call_address}.")))
        return _module_value(block, per_instance)


def _module_value(block: TfBlock, per_instance: list[tuple[str, dict[str, Any]]]) -> Any:
    """What ``module.NAME`` evaluates to: the outputs object, a list of them (count) or a map (for_each)."""
    if "count" in block.attributes or "for_each" in block.attributes:
        if any(suffix == "[?]" for suffix, _ in per_instance):
            return Unknown(expr=f"module.{block.labels[0]}", reason="its count/for_each is unknown")
        if "count" in block.attributes:
            return [outputs for _, outputs in per_instance]
        return {suffix[2:-2]: outputs for suffix, outputs in per_instance}
    return per_instance[0][1] if per_instance else {}


@dataclass(frozen=True, slots=True)
class Evaluated:
    """An attribute of one resource instance, evaluated in that instance's scope (read like a TfAttribute)."""

    name: str
    value: Any
    expr: str
    location: Location
    origins: tuple[Origin, ...] = ()
    node: Any = None


class LazyAttributes(Mapping[str, Any]):
    """An instance's attributes, evaluated on first access: keys are known at once, values when a rule asks.

    A rule set looks at a few attributes of a few resource types; evaluating every expression of every
    instance up front would cost more than all the rules together on a large tree.
    """

    def __init__(self, resolver: "Resolver", scope: Any, provenance: "_Provenance", trail: tuple[Origin, ...]) -> None:
        self._resolver, self._scope, self._provenance, self._trail = resolver, scope, provenance, trail
        self._raw: dict[str, TfAttribute] = {}
        self._done: dict[str, Any] = {}

    def defer(self, key: str, attr: TfAttribute) -> None:
        self._raw[key] = attr

    def put(self, key: str, attr: TfAttribute) -> None:
        self._raw[key] = attr
        self._done[key] = attr

    def __getitem__(self, key: str) -> Any:
        done = self._done.get(key)
        if done is None:
            attr = self._raw[key]
            value = attr.value if not isinstance(attr.value, Unknown) else self._resolver._eval(attr, self._scope)
            done = Evaluated(attr.name, value, attr.expr, attr.location, self._provenance.of(attr) + self._trail, attr.node)
            self._done[key] = done
        return done

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def local_cycles(locals_: Mapping[str, TfAttribute]) -> list[tuple[str, ...]]:
    """Cycles among a module's locals, from the references in their expressions (no evaluation needed)."""
    graph = {name: [ref for kind, ref in _REF.findall(attr.expr) if kind == "local" and ref in locals_] for name, attr in locals_.items()}
    cycles: list[tuple[str, ...]] = []
    seen: set[frozenset[str]] = set()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for ref in graph[name]:
            if state.get(ref) == 1:
                cycle = tuple(stack[stack.index(ref):]) + (ref,)
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    cycles.append(cycle)
            elif ref not in state:
                visit(ref)
        stack.pop()
        state[name] = 2

    for name in graph:
        if name not in state:
            visit(name)
    return cycles


_REF = re.compile(r"\b(var|local|module)\.([A-Za-z_][A-Za-z0-9_-]*)")


class _Provenance:
    """Where the variables an expression reads were set: followed through locals."""

    def __init__(self, variables: dict[str, VarValue], locals_: dict[str, TfAttribute],
                 calls: dict[str, Location] | None = None) -> None:
        self.variables = variables
        self.locals = locals_
        self.calls = calls or {}  # module name -> where it is called, for module.NAME.OUTPUT

    def of(self, attr: TfAttribute) -> tuple[Origin, ...]:
        seen: set[str] = set()
        found: list[Origin] = []
        pending = [attr.expr]
        while pending:
            for kind, name in _REF.findall(pending.pop()):
                key = f"{kind}.{name}"
                if key in seen:
                    continue
                seen.add(key)
                if kind == "var" and name in self.variables:
                    found.extend(o for o in self.variables[name].origins if o not in found)
                elif kind == "module" and name in self.calls:
                    found.append(Origin(what=f"an output of module.{name}", location=self.calls[name]))
                elif kind == "local" and name in self.locals:
                    local = self.locals[name]
                    found.append(Origin(what=f"local.{name}", location=local.location))
                    pending.append(local.expr)
        return tuple(found)


def resolve(files: list[TfFile], options: TfOptions | None = None) -> Resolution:
    return Resolver(files, options or TfOptions()).resolve()
