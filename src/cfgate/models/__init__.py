"""Typed models for everything cfgate reads and reports."""

from .base import Model
from .env import EnvEntry, EnvError, EnvFile
from .location import Location
from .pool import POOL_SETTINGS, EnvRef, PoolConfig, PoolSetting, PythonFile
from .result import SEVERITY_RANK, Evaluation, RunResult, Severity, Status
from .rule import Example, RuleMeta
from .terraform import TfAttribute, TfBlock, TfFile
from .values import Origin, Unknown, is_unknown

__all__ = [
    "POOL_SETTINGS", "SEVERITY_RANK", "EnvEntry", "EnvError", "EnvFile", "EnvRef", "Evaluation", "Example",
    "Location", "Model", "Origin", "PoolConfig", "PoolSetting", "PythonFile", "RuleMeta", "RunResult",
    "Severity", "Status", "TfAttribute", "TfBlock", "TfFile", "Unknown", "is_unknown",
]
