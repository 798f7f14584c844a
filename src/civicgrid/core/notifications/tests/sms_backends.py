"""An SMS backend for tests that fails on cue, the way a gateway does, then behaves like locmem."""

from civicgrid.core.sms import LocmemSmsBackend, SmsReceipt

# What the next sends do, in order: an SmsReceipt to return or an exception to raise. Once the
# script runs out, texts are accepted into the locmem outbox. Tests set and clear it.
script: list[SmsReceipt | Exception] = []
attempts: list[tuple[str, str]] = []


class ScriptedSmsBackend(LocmemSmsBackend):
    def send(self, mobile: str, text: str) -> SmsReceipt:
        attempts.append((mobile, text))
        if script:
            outcome = script.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome
        return super().send(mobile, text)


def gateway_busy() -> SmsReceipt:
    return SmsReceipt("", accepted=False, error="isp.RAM_PERMISSION: 网关繁忙", retryable=True)


def number_blocked() -> SmsReceipt:
    return SmsReceipt("", accepted=False, error="isv.MOBILE_NUMBER_ILLEGAL", retryable=False)
