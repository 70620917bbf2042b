"""CFG0xx and parse-level rules: files cfgate cannot read, and structural problems parsers find."""

from __future__ import annotations

from typing import Iterable

from ..models import Evaluation, Example, RuleMeta, TfBlock
from .base import Context, evaluation

UNPARSABLE = RuleMeta(
    id="CFG001",
    name="unparsable-file",
    title="A configuration file cannot be read or parsed",
    severity="error",
    rationale=(
        "A file cfgate cannot parse is a file no rule has checked. Binary content, a non-UTF-8 encoding or a "
        "syntax error would otherwise let any value through unseen, so it fails the gate at the position "
        "where reading stopped."
    ),
    fix="Fix the syntax at the reported line, or save the file as UTF-8 text; exclude it with --exclude if it is not configuration.",
    bad=Example(files={"main.tf": 'resource "google_vpc_access_connector" "c" {\n  max_instances = 10\n'}),
    good=Example(files={"main.tf": 'resource "google_vpc_access_connector" "c" {\n  max_instances = 10\n}\n'}),
)

DUPLICATE_ATTRIBUTE = RuleMeta(
    id="CFG101",
    name="terraform-duplicate-attribute",
    title="An attribute is set twice in one Terraform block",
    severity="error",
    rationale=(
        "Terraform rejects a block that sets the same argument twice (\"Attribute redefined\"), but python-hcl2 "
        "silently keeps the last value. A duplicated min_instances could hide the value a reviewer thinks applies."
    ),
    fix="Delete one of the two assignments.",
    bad=Example(files={"main.tf": 'resource "google_vpc_access_connector" "c" {\n  min_instances = 2\n  min_instances = 20\n}\n'}),
    good=Example(files={"main.tf": 'resource "google_vpc_access_connector" "c" {\n  min_instances = 2\n}\n'}),
)

ENV_MALFORMED = RuleMeta(
    id="CFG201",
    name="env-malformed-line",
    title="A line in an env file cannot be parsed",
    severity="error",
    rationale=(
        "python-dotenv skips a line it cannot parse with only a log warning, so the key on it silently "
        "disappears from the environment (for example an unterminated quote)."
    ),
    fix="Write the line as KEY=value; close any opened quote.",
    bad=Example(files={".env": 'API_URL="https://example.test\nPORT=8080\n'}),
    good=Example(files={".env": 'API_URL="https://example.test"\nPORT=8080\n'}),
)


class UnparsableFile:
    meta = UNPARSABLE

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        for problem in ctx.workspace.problems:
            yield evaluation(self.meta, "fail", problem.message, problem.location, problem.location.file)


class DuplicateAttribute:
    meta = DUPLICATE_ATTRIBUTE

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        for tf in ctx.workspace.terraform:
            stack: list[tuple[str, TfBlock]] = [(b.address, b) for b in tf.blocks]
            while stack:
                address, block = stack.pop()
                for name in dict.fromkeys(dup.name for dup in block.duplicates):
                    last = block.attributes[name]
                    earlier = sorted(d.location.line for d in block.duplicates if d.name == name)
                    yield evaluation(
                        self.meta, "fail",
                        f"{name} is set again in {address} (also at line {', '.join(map(str, earlier))}); "
                        "Terraform rejects this (\"Attribute redefined\"); python-hcl2 would keep only this last value",
                        last.location, f"{address}.{name}", last.value,
                    )
                stack.extend((f"{address}.{b.kind}", b) for b in block.blocks)


class EnvMalformedLine:
    meta = ENV_MALFORMED

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        for env in ctx.workspace.env:
            for error in env.errors:
                yield evaluation(
                    self.meta, "fail",
                    "python-dotenv cannot parse this line, so its key is silently dropped; write it as KEY=value",
                    error.location, f"{env.path}:{error.location.line}",
                )


TOOL_RULES = (UnparsableFile(), DuplicateAttribute(), EnvMalformedLine())
