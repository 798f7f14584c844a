"""Walking the hash chain: find the first record that was changed, removed or re-linked.

Reads in keyset batches (`seq > last ORDER BY seq LIMIT n`) as plain tuples, so memory stays
flat and each batch is one primary-key range scan, however many millions of records there are.
"""

from collections.abc import Callable
from dataclasses import dataclass

from civicgrid.core.audit.chain import GENESIS_HASH, HASHED_FIELDS, record_hash
from civicgrid.core.audit.models import AuditChainHead, AuditRecord

DEFAULT_BATCH_SIZE = 2000


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain does not hold."""

    seq: int
    problem: str  # "missing", "prev_hash", "hash", "head", "anchor"
    expected: str
    found: str

    def __str__(self) -> str:
        what = {
            "missing": "记录缺失",
            "prev_hash": "与前一条记录的链接断开（前一条摘要不符）",
            "hash": "记录内容与其摘要不符（记录被修改）",
            "head": "链末端与最后一条记录不符",
            "anchor": "与外部保存的锚点摘要不符",
        }[self.problem]
        return f"审计链在序号 {self.seq} 处断裂：{what}；应为 {self.expected}，实为 {self.found}"


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head_seq: int
    head_hash: str
    broken: ChainBreak | None


def verify_chain(
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    anchor: tuple[int, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ChainReport:
    """Check every record up to the chain head as it stood when the walk began.

    Records appended during the walk are left for the next run. `anchor` is a (seq, hash)
    pair kept outside the database (printed by an earlier run); it catches a chain rewritten
    from that record on, which no check inside the database can. `progress(done, total)` is
    called after each batch.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    # Without a head, walk whatever exists: records without a head are themselves a finding.
    limit = head_seq if head else None
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0

    def report(broken: ChainBreak | None) -> ChainReport:
        return ChainReport(checked, head_seq, head_hash, broken)

    while True:
        batch = AuditRecord.objects.filter(seq__gte=expected_seq)
        if limit is not None:
            batch = batch.filter(seq__lte=limit)
        rows = list(batch.order_by("seq").values_list(*HASHED_FIELDS, "hash")[:batch_size])
        for row in rows:
            fields = dict(zip(HASHED_FIELDS, row, strict=False))
            seq, stored_hash = fields["seq"], row[-1]
            if seq != expected_seq:
                return report(ChainBreak(expected_seq, "missing", f"#{expected_seq}", f"#{seq}"))
            if fields["prev_hash"] != prev_hash:
                return report(ChainBreak(seq, "prev_hash", prev_hash, fields["prev_hash"]))
            computed = record_hash(fields)
            if computed != stored_hash:
                return report(ChainBreak(seq, "hash", computed, stored_hash))
            if anchor is not None and anchor[0] == seq and anchor[1] != stored_hash:
                return report(ChainBreak(seq, "anchor", anchor[1], stored_hash))
            expected_seq, prev_hash, checked = seq + 1, stored_hash, checked + 1
        if progress is not None:
            progress(checked, head_seq)
        if len(rows) < batch_size:
            break

    last_seq = expected_seq - 1
    if head is None and last_seq > 0:
        return report(ChainBreak(last_seq, "head", "链末端记录", "缺失"))
    if last_seq < head_seq:
        return report(ChainBreak(expected_seq, "missing", f"#{expected_seq}–#{head_seq}", "无"))
    if prev_hash != head_hash:
        return report(ChainBreak(head_seq, "head", head_hash, prev_hash))
    if anchor is not None and anchor[0] > last_seq:
        return report(ChainBreak(anchor[0], "anchor", anchor[1], "记录缺失"))
    return report(None)
