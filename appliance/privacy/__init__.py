"""Privacy guard: regulated data never leaves the device.

- :mod:`.detect` — :class:`~.detect.Detector`: every recognizer (patterns with check
  digits in :mod:`.recognizers`, names in :mod:`.names`, PHI = health terms near an
  identifier), plus JSON field names (``patient_id``, ``operator``).
- :mod:`.redact` — typed, numbered placeholders per :class:`~.redact.Session` and
  :func:`~.redact.reidentify`; :mod:`.vault` keeps the mapping AES-GCM encrypted and
  makes HMAC pseudonyms.
- :mod:`.gate` — :class:`~.gate.EgressGate`, the one function every outbound payload
  passes: classify → policy (``settings.PrivacyConfig.policy``) → audit → send; it
  fails closed. The audit log itself is :mod:`appliance.audit`.
- :mod:`.images` — faces blurred with OpenCV's Haar cascades (images are blocked by
  default).
"""
