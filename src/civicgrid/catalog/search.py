"""Catalogue search that understands Chinese, from an in-memory index per server process.

A query is cut into terms: synonym phrases found in it first (营业执照, "business licence"),
then jieba's words for the rest, minus filler such as 办理 or 怎么. Each term stands for its
synonym group (营业执照 = 执照 = business licence). An item matches a term when any word of the
group occurs in one of its texts; where it occurs gives the weight, so items named after the
query come before items that only mention it in their conditions:

    name 100 · life event, materials, department 30 · conditions, legal basis 10

A query typed in Latin letters is also looked up in the names' pinyin: `yyzz` finds 营业执照
by its initials, `yingye` by its syllables. Items matching more of the query's terms rank first,
then by score, then by code. A query without usable terms (only punctuation or filler) finds
nothing; an empty query lists everything (browsing).

The index holds the published items' searchable text and the fields the result list shows
(about 1 KB an item, 3 MB for 3,000). It is rebuilt when `CatalogVersion` moved, which costs
one indexed one-row read per search; the rebuild itself reads three tables once.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Prefetch

from civicgrid.catalog.choices import ItemStatus
from civicgrid.catalog.models import (
    CatalogVersion,
    LifeEvent,
    ServiceItem,
    ServiceMaterial,
    Synonym,
)
from civicgrid.catalog.segmentation import words

MAX_QUERY_LENGTH = 50
WEIGHT_NAME = 100
WEIGHT_RELATED = 30  # life events, materials, department
WEIGHT_TEXT = 10  # conditions, legal basis
WEIGHT_WHOLE_NAME = 60  # the whole query inside the name, as typed

# Words people put around what they want; alone they would match half the catalogue.
FILLER = frozenset(
    [
        "办理",
        "办",
        "申请",
        "怎么",
        "怎样",
        "如何",
        "在哪",
        "在哪里",
        "哪里",
        "我",
        "我要",
        "要",
        "想",
        "的",
        "了",
        "吗",
        "呢",
        "和",
        "与",
        "及",
        "或",
        "需要",
        "什么",
        "材料",
        "手续",
        "流程",
        "网上",
        "线上",
        "去",
        "给",
        "为",
        "有",
        "是",
        "在",
        "把",
        "请问",
        "一下",
    ]
)
_LATIN = re.compile(r"^[0-9a-z]+$")
_PUNCTUATION_OR_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


@dataclass(frozen=True)
class Entry:
    """One published item as search sees it and as the result list shows it."""

    id: int
    code: str
    name: str
    kind: str
    department_id: int
    department_name: str
    division_code: str
    level: int
    life_event_codes: frozenset[str]
    promised_limit_days: int
    legal_limit_days: int
    online: bool
    online_depth: int
    by_appointment: bool
    hall_visits: int
    fee: str
    # searchable, normalised
    name_text: str
    pinyin: str
    initials: str
    related_text: str
    other_text: str


@dataclass(frozen=True)
class Term:
    """One thing the query asks for: what was typed and the words that count as it."""

    typed: str
    alternatives: tuple[str, ...]
    latin: bool = False


@dataclass
class Index:
    version: int
    entries: list[Entry]
    synonyms: dict[str, tuple[str, ...]]  # term -> its whole group
    synonym_phrases: list[str] = field(default_factory=list)  # longest first
    by_code: dict[str, Entry] = field(default_factory=dict)  # lower-case code -> entry


_lock = threading.Lock()
_index: Index | None = None


def current_version() -> int:
    return CatalogVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def get_index() -> Index:
    """This process's index, rebuilt first if the catalogue changed since it was built."""
    global _index
    version = current_version()
    index = _index
    if index is not None and index.version == version:
        return index
    with _lock:
        if _index is None or _index.version != version:
            _index = build_index(version)
        return _index


def build_index(version: int) -> Index:
    items = (
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
        .select_related("department")
        .prefetch_related(
            Prefetch("materials", queryset=ServiceMaterial.objects.only("item_id", "name")),
            Prefetch("life_events", queryset=LifeEvent.objects.only("code", "name")),
        )
        .order_by("code")
    )
    entries = [_entry(item) for item in items]
    synonyms: dict[str, tuple[str, ...]] = {}
    for row in Synonym.objects.all():
        group = tuple(row.term_list())
        for term in group:
            # A term in two groups stands for both.
            synonyms[term] = tuple(dict.fromkeys(synonyms.get(term, ()) + group))
    phrases = sorted(synonyms, key=len, reverse=True)
    return Index(
        version=version,
        entries=entries,
        synonyms=synonyms,
        synonym_phrases=phrases,
        by_code={e.code.lower(): e for e in entries},
    )


def _entry(item: ServiceItem) -> Entry:
    events = list(item.life_events.all())
    related = " ".join(
        [item.department.name, *(e.name for e in events), *(m.name for m in item.materials.all())]
    )
    return Entry(
        id=item.pk,
        code=item.code,
        name=item.name,
        kind=item.kind,
        department_id=item.department_id,
        department_name=item.department.name,
        division_code=item.division_code,
        level=item.level,
        life_event_codes=frozenset(e.code for e in events),
        promised_limit_days=item.promised_limit_days,
        legal_limit_days=item.legal_limit_days,
        online=item.online,
        online_depth=item.online_depth,
        by_appointment=item.by_appointment,
        hall_visits=item.hall_visits,
        fee=str(item.fee),
        name_text=normalise(item.name),
        pinyin=item.name_pinyin,
        initials=item.name_initials,
        related_text=normalise(related),
        other_text=normalise(f"{item.conditions} {item.legal_basis}"),
    )


# --- queries ----------------------------------------------------------------------------------


def parse_query(text: str, index: Index) -> list[Term]:
    """The terms of a query: synonym phrases it contains, then jieba's words for the rest."""
    query = normalise(text)[:MAX_QUERY_LENGTH]
    terms: list[Term] = []
    rest = query
    for phrase in index.synonym_phrases:
        if phrase in rest:
            terms.append(Term(phrase, index.synonyms[phrase]))
            rest = rest.replace(phrase, " ")
    for word in words(rest) if rest.strip() else []:
        word = _PUNCTUATION_OR_SPACE.sub("", word)
        if not word or word in FILLER or any(word == t.typed for t in terms):
            continue
        if _LATIN.match(word):
            if len(word) < 2 and not word.isdigit():
                continue  # a lone letter matches every initials string
            terms.append(Term(word, index.synonyms.get(word, (word,)), latin=True))
        else:
            terms.append(Term(word, index.synonyms.get(word, (word,))))
    if any(len(t.typed) > 1 for t in terms):
        # A single character left over by segmentation (人 of 法定代表人) matches everything.
        terms = [t for t in terms if len(t.typed) > 1]
    return terms


def _term_weight(term: Term, entry: Entry) -> int:
    best = 0
    for word in term.alternatives:
        if word in entry.name_text:
            return WEIGHT_NAME
        if word in entry.related_text:
            best = max(best, WEIGHT_RELATED)
        elif not best and word in entry.other_text:
            best = WEIGHT_TEXT
    if term.latin and (term.typed in entry.initials or term.typed in entry.pinyin):
        return WEIGHT_NAME
    return best


@dataclass(frozen=True)
class Hit:
    entry: Entry
    matched: int
    score: int


def search(
    query: str = "",
    *,
    department: int | None = None,
    life_event: str | None = None,
    level: int | None = None,
) -> list[Entry]:
    """Published items matching `query` and the filters, best first (see the module docstring)."""
    index = get_index()
    entries = [
        e
        for e in index.entries
        if (department is None or e.department_id == department)
        and (life_event is None or life_event in e.life_event_codes)
        and (level is None or e.level == level)
    ]
    if not normalise(query):
        return entries
    exact = index.by_code.get(normalise(query))
    if exact is not None:
        return [exact] if exact in entries else []
    terms = parse_query(query, index)
    if not terms:
        return []
    whole = _PUNCTUATION_OR_SPACE.sub("", normalise(query))
    hits = []
    for entry in entries:
        matched = score = 0
        for term in terms:
            weight = _term_weight(term, entry)
            if weight:
                matched += 1
                score += weight
        if not matched:
            continue
        if whole and whole in _PUNCTUATION_OR_SPACE.sub("", entry.name_text):
            score += WEIGHT_WHOLE_NAME
        hits.append(Hit(entry, matched, score))
    hits.sort(key=lambda h: (-h.matched, -h.score, h.entry.code))
    return [h.entry for h in hits]
