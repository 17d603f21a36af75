"""Configuration section for privacy (owned here, assembled by :mod:`appliance.config`).

Defaults are the safe ones: health data (PHI), national IDs, payment cards, secrets and
faces never leave (``block``); every other personal data class is replaced by a typed
placeholder (``redact``). Nothing is ``allow`` unless an operator says so.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Action = Literal["allow", "redact", "pseudonymize", "block"]

DEFAULT_POLICY: dict[str, Action] = {
    "PERSON": "redact",
    "EMAIL": "redact",
    "PHONE": "redact",
    "ADDRESS": "redact",
    "DOB": "redact",
    "NATIONAL_ID": "block",
    "EMPLOYEE_ID": "redact",
    "MRN": "block",
    "HEALTH": "block",
    "CARD": "block",
    "IBAN": "redact",
    "IP": "redact",
    "MAC": "redact",
    "GPS": "redact",
    "SECRET": "block",
    "FACE": "block",
}

# Where the appliance ships: the EU and EEA, the UK, Switzerland, the Balkans, Turkey,
# Ukraine and North America.
PHONE_REGIONS: tuple[str, ...] = (
    "DE", "AT", "CH", "FR", "BE", "NL", "LU", "IT", "ES", "PT", "GB", "IE", "DK", "SE", "NO",
    "FI", "IS", "PL", "CZ", "SK", "HU", "SI", "HR", "RO", "BG", "GR", "CY", "MT", "EE", "LV",
    "LT", "RS", "BA", "MK", "AL", "ME", "TR", "UA", "US", "CA",
)


class PrivacyConfig(BaseModel):
    """Privacy guard: detection, redaction, egress policy, vault and audit log."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = Field(
        default=True,
        description="must stay true in production: the gate refuses to send when disabled",
    )
    policy: dict[str, Action] = Field(
        default_factory=lambda: dict(DEFAULT_POLICY),
        description="action per data class; classes left out take the default above",
    )
    images: Literal["block", "blur"] = Field(
        default="block", description="block: images never leave; blur: faces blurred first"
    )
    employee_id_patterns: list[str] = Field(
        default_factory=lambda: [r"\bB-\d{4,6}\b", r"\bEMP-?\d{4,8}\b"],
        description="regular expressions for site badge / employee numbers",
    )
    medical_record_patterns: list[str] = Field(
        default_factory=lambda: [r"\bMRN-\d{5,10}\b", r"\bPAT-\d{5,9}\b"],
        description="regular expressions for medical record / patient numbers",
    )
    phone_regions: list[str] = Field(
        default_factory=lambda: list(PHONE_REGIONS),
        description="countries (ISO 3166 codes) whose national phone numbers, written "
        "without a country code, are recognised anywhere; right after a phone word or a "
        "name, a number valid in any country's plan is recognised too",
    )
    phi_window: int = Field(
        default=160, ge=0, description="health terms this close to an identifier are PHI"
    )
    verify_output: bool = Field(
        default=True, description="re-scan the redacted payload and block if anything remains"
    )
    vault_dir: Path = Field(
        default=Path("privacy/vault"), description="session mappings (relative to state_dir)"
    )
    key_dir: Path = Field(
        default=Path("privacy/keys"), description="vault, pseudonym and audit keys (0600)"
    )
    audit_file: Path = Field(
        default=Path("audit/egress.jsonl"), description="hash-chained egress log (rel. state_dir)"
    )
    session_ttl_s: float = Field(default=7 * 24 * 3600, gt=0)

    @field_validator("policy")
    @classmethod
    def _known_classes(cls, v: dict[str, Action]) -> dict[str, Action]:
        unknown = sorted(set(v) - set(DEFAULT_POLICY))
        if unknown:
            raise ValueError(f"unknown data class(es) {unknown}; known: {sorted(DEFAULT_POLICY)}")
        return {**DEFAULT_POLICY, **v}

    @field_validator("phone_regions")
    @classmethod
    def _regions_known(cls, v: list[str]) -> list[str]:
        import phonenumbers

        unknown = sorted(set(v) - phonenumbers.SUPPORTED_REGIONS)
        if unknown:
            raise ValueError(f"unknown phone region(s) {unknown}")
        return v

    @field_validator("employee_id_patterns", "medical_record_patterns")
    @classmethod
    def _patterns_compile(cls, v: list[str]) -> list[str]:
        for pattern in v:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc
        return v

    def action(self, data_class: str) -> Action:
        """Return the policy action for ``data_class`` (unknown classes are blocked)."""
        return self.policy.get(data_class, "block")
