"""CFG010-CFG019: the waiver family. A waiver that cannot be trusted is itself a finding.

A waiver (a ``# cfgate: waive RULE until=... reason="..."`` comment, or a record in
``cfgate-waivers.yaml``) hides a finding only while it is well formed, names rules that may be
waived, and has an expiry that has not passed and is not too far ahead. Each way it can go wrong has
a rule here, so that ``--select``/``--ignore``, ``cfgate explain`` and every reporter treat it like
any other finding, at the waiver's own line.

These rules judge waivers against the findings of every other rule, so their work happens after all
other rules ran, in :func:`cfgate.waivers.apply_waivers` (called by the engine); on its own,
:class:`~cfgate.rules.base.StageRule` yields nothing. The engine keeps the waiver evaluations of the waiver
rules that are active in the run. None of these rules can be waived: a waiver that hides an expired
or malformed waiver would make the expiry meaningless.
"""

from __future__ import annotations


from ..models import Example, RuleMeta
from .base import StageRule

_REFERENCE = "cfgate README, section 'Waivers that expire and say why'"

WAIVER_MALFORMED = RuleMeta(
    id="CFG010",
    name="waiver-malformed",
    title="A waiver cannot be read: it waives nothing",
    severity="error",
    rationale=(
        "A waiver with a typo (an unknown key, a date that is not YYYY-MM-DD, an unclosed quote, a rule that does "
        "not exist, a missing reason or expiry) would otherwise be ignored without a word, and the finding it was "
        "meant to cover would come back with nobody knowing why, or worse, a mistyped rule id would look like a "
        "deliberate decision. cfgate reports it at the waiver's line and does not apply it."
    ),
    fix='Write it as `# cfgate: waive RULE[,RULE...] until=YYYY-MM-DD reason="why" [owner=team]`; quote a value with spaces.',
    bad=Example(
        files={"main.tf": (
            'resource "google_vpc_access_connector" "c" {\n'
            '  # cfgate: waive CFG113 until=2025-10-01 reason=capacity test\n'
            '  max_instances = 50\n'
            '}\n'
        )},
        as_of="2025-09-19",
        note="an unquoted reason with a space: 'test' is an unexpected word",
    ),
    good=Example(
        files={"main.tf": (
            'resource "google_vpc_access_connector" "c" {\n'
            '  # cfgate: waive CFG113 until=2025-10-01 reason="capacity test for #1278"\n'
            '  max_instances = 50\n'
            '}\n'
        )},
        as_of="2025-09-19",
    ),
    references=(_REFERENCE,),
    family="0",
)

WAIVER_EXPIRED = RuleMeta(
    id="CFG011",
    name="waiver-expired",
    title="A waiver's expiry date has passed: its finding is back",
    severity="error",
    rationale=(
        "A waiver is a promise to fix something by a date. Once the date passes, cfgate stops hiding the finding "
        "(it fails again) and also reports the waiver itself, at its own line, so that the broken promise is "
        "visible where it was made rather than quietly turning back into an old finding."
    ),
    fix="Fix the finding and delete the waiver, or renew it with a new `until` date and an updated reason.",
    bad=Example(
        files={".env": "# cfgate: waive CFG220 until=2025-09-18 reason=\"slow upstream, see OPS-12\"\nREDIS_TIMEOUT=600\n"},
        as_of="2025-09-19",
    ),
    good=Example(
        files={".env": "# cfgate: waive CFG220 until=2025-10-15 reason=\"slow upstream, see OPS-12\"\nREDIS_TIMEOUT=600\n"},
        as_of="2025-09-19",
    ),
    references=(_REFERENCE,),
    family="0",
)

WAIVER_UNUSED = RuleMeta(
    id="CFG012",
    name="waiver-unused",
    title="A waiver matches no finding",
    severity="warning",
    rationale=(
        "A waiver that hides nothing is left over from a finding that has been fixed (or it sits on the wrong "
        "line, or names the wrong rule). Left in place it would silently hide the next real finding on that line. "
        "A waiver whose rules did not run at all (--select, --ignore, or a rule that is off) is reported too, "
        "with that reason, as ruff and ESLint do for their unused suppressions."
    ),
    fix="Delete the waiver; if it is on the wrong line, move it onto the finding's line or the line above.",
    bad=Example(
        files={".env": "# cfgate: waive CFG220 until=2025-10-15 reason=\"slow upstream, see OPS-12\"\nREDIS_TIMEOUT=5\n"},
        as_of="2025-09-19",
        note="the timeout was fixed; the waiver stayed",
    ),
    good=Example(files={".env": "REDIS_TIMEOUT=5\n"}, as_of="2025-09-19"),
    references=(_REFERENCE,),
    family="0",
)

WAIVER_EXPIRING = RuleMeta(
    id="CFG013",
    name="waiver-expiring-soon",
    title="A waiver expires within days",
    severity="warning",
    rationale=(
        "A waiver about to lapse will turn its finding back into a failure, usually on an unrelated change a few "
        "days later. The warning (the waiver still applies) gives its owner time to fix the finding or renew "
        "the waiver on purpose. The window is the policy's waivers.warn_days (7 by default)."
    ),
    fix="Fix the finding and delete the waiver, or renew it with a later `until` and a current reason.",
    bad=Example(
        files={".env": "REDIS_TIMEOUT=600  # cfgate: waive CFG220 until=2025-09-22 reason=\"slow upstream, see OPS-12\"\n"},
        as_of="2025-09-19",
    ),
    good=Example(
        files={".env": "REDIS_TIMEOUT=600  # cfgate: waive CFG220 until=2025-10-15 reason=\"slow upstream, see OPS-12\"\n"},
        as_of="2025-09-19",
    ),
    references=(_REFERENCE,),
    family="0",
)

WAIVER_TOO_FAR = RuleMeta(
    id="CFG014",
    name="waiver-expiry-too-far",
    title="A waiver's expiry is further ahead than the policy allows: it waives nothing",
    severity="error",
    rationale=(
        "An expiry years ahead is a permanent suppression in disguise. The policy caps how far ahead `until` may be "
        "(waivers.max_days, 90 days after the evaluation date by default); a waiver beyond it is not applied."
    ),
    fix="Choose an `until` within the allowed window; renew the waiver when it comes due if the reason still holds.",
    bad=Example(
        files={".env": "REDIS_TIMEOUT=600  # cfgate: waive CFG220 until=2027-01-01 reason=\"slow upstream, see OPS-12\"\n"},
        as_of="2025-09-19",
    ),
    good=Example(
        files={".env": "REDIS_TIMEOUT=600  # cfgate: waive CFG220 until=2025-11-30 reason=\"slow upstream, see OPS-12\"\n"},
        as_of="2025-09-19",
    ),
    references=(_REFERENCE,),
    family="0",
)

WAIVER_UNWAIVABLE = RuleMeta(
    id="CFG015",
    name="waiver-on-unwaivable-rule",
    title="A waiver names a rule that may not be waived: it does not hide that rule's findings",
    severity="error",
    rationale=(
        "Some findings must never be accepted, only fixed: the policy lists them in waivers.unwaivable, and the "
        "waiver rules themselves (CFG010-CFG019) are never waivable, since a waived expiry would be no expiry. "
        "A waiver that tries is reported, and the findings stay failures."
    ),
    fix="Fix the finding instead; remove the rule from the waiver (other rules it names stay waived).",
    bad=Example(
        files={".env": (
            "# cfgate: waive waiver-expired until=2025-10-15 reason=\"keep the old waiver\"\n"
            "REDIS_TIMEOUT=600  # cfgate: waive CFG220 until=2025-09-01 reason=\"slow upstream\"\n"
        )},
        as_of="2025-09-19",
        note="an expired waiver cannot be waived away",
    ),
    good=Example(
        files={".env": "REDIS_TIMEOUT=600  # cfgate: waive CFG220 until=2025-10-15 reason=\"slow upstream, see OPS-12\"\n"},
        as_of="2025-09-19",
    ),
    references=(_REFERENCE,),
    family="0",
)


WAIVER_METAS: dict[str, RuleMeta] = {m.id: m for m in (
    WAIVER_MALFORMED, WAIVER_EXPIRED, WAIVER_UNUSED, WAIVER_EXPIRING, WAIVER_TOO_FAR, WAIVER_UNWAIVABLE)}
WAIVER_RULES = tuple(StageRule(meta) for meta in WAIVER_METAS.values())
WAIVER_RULE_IDS = frozenset(WAIVER_METAS)
WAIVER_FAMILY = "CFG01"
"""Every id in this family is unwaivable, including ids reserved for later (CFG016-CFG019)."""
