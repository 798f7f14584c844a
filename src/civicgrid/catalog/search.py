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

The index holds the published items' searchable text and the rows the result list shows
(about 1 KB an item, 3 MB for 3,000). It is rebuilt when `CatalogVersion` moved, which costs
one primary-key read per search; the rebuild reads three tables once (0.2–0.7 s for 3,000
items). A word is looked up with one `in` test per item and field, in the interpreter's C loop,
and its hits are kept per index (people search for the same words again and again). Over
3,000 items a search takes about 1–10 ms of one core, most of it merging the hits of common
words (企业, 许可); see bench/bench_catalog.py for the figure at the API.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from civicgrid.catalog.choices import ItemStatus
from civicgrid.catalog.models import CatalogVersion, ServiceItem, ServiceMaterial, Synonym
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
    # What the API's result list shows (`api.ItemSummarySchema`), built once with the index.
    summary: dict[str, Any] = field(compare=False, repr=False, default_factory=dict)


@dataclass(frozen=True)
class Term:
    """One thing the query asks for: what was typed and the words that count as it."""

    typed: str
    alternatives: tuple[str, ...]
    latin: bool = False


WORD_CACHE_SIZE = 20_000


def containing(texts: list[str], word: str) -> list[int]:
    """Indexes of the texts that contain `word`: one `in` per text, run by the interpreter's
    C loop (about 0.1 ms over 3,000 names), whatever the number of hits."""
    return [n for n, text in enumerate(texts) if word in text]


@dataclass
class Index:
    """The published catalogue as search reads it; replaced whole when the catalogue changes."""

    version: int
    entries: list[Entry]
    synonyms: dict[str, tuple[str, ...]]  # term -> its whole group
    synonym_phrases: list[str] = field(default_factory=list)  # longest first
    by_code: dict[str, int] = field(default_factory=dict)  # lower-case code -> entry index
    names: list[str] = field(default_factory=list)
    compact_names: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    pinyin: list[str] = field(default_factory=list)
    initials: list[str] = field(default_factory=list)
    # word -> {entry index: weight}: people search for the same words again and again.
    word_cache: dict[str, dict[int, int]] = field(default_factory=dict)

    def word_weights(self, word: str) -> dict[int, int]:
        """Entry index -> the weight of the best field containing `word` (do not modify)."""
        cached = self.word_cache.get(word)
        if cached is not None:
            return cached
        weights = dict.fromkeys(containing(self.other, word), WEIGHT_TEXT)
        weights.update(dict.fromkeys(containing(self.related, word), WEIGHT_RELATED))
        weights.update(dict.fromkeys(containing(self.names, word), WEIGHT_NAME))
        if len(self.word_cache) >= WORD_CACHE_SIZE:
            self.word_cache.clear()
        self.word_cache[word] = weights
        return weights


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


_ITEM_FIELDS = (
    "id", "code", "name", "kind", "department_id", "department__name", "division_code", "level",
    "promised_limit_days", "legal_limit_days", "online", "online_depth", "by_appointment",
    "hall_visits", "fee", "name_pinyin", "name_initials", "conditions", "legal_basis",
)  # fmt: skip


# Entry fields copied as they are from the item's row.
_PLAIN_FIELDS = (
    "id", "code", "name", "kind", "department_id", "division_code", "level",
    "promised_limit_days", "legal_limit_days", "online", "online_depth", "by_appointment",
    "hall_visits",
)  # fmt: skip
# The fields of a result row at the API (`api.ItemSummarySchema`), in its order.
SUMMARY_FIELDS = (
    "code", "name", "kind", "department_id", "department_name", "division_code", "level",
    "promised_limit_days", "legal_limit_days", "online", "online_depth", "hall_visits",
)  # fmt: skip


def build_index(version: int) -> Index:
    """Read the published catalogue in three plain queries (no model instances: fast)."""
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
    materials: dict[int, list[str]] = {}
    for item_id, name in ServiceMaterial.objects.filter(item__in=published).values_list(
        "item_id", "name"
    ):
        materials.setdefault(item_id, []).append(name)
    events: dict[int, list[tuple[str, str]]] = {}
    through = ServiceItem.life_events.through
    for item_id, code, name in through.objects.filter(serviceitem__in=published).values_list(
        "serviceitem_id", "lifeevent__code", "lifeevent__name"
    ):
        events.setdefault(item_id, []).append((code, name))
    rows = published.order_by("code").values_list(*_ITEM_FIELDS)
    entries = [_entry(dict(zip(_ITEM_FIELDS, row, strict=True)), materials, events) for row in rows]
    synonyms: dict[str, tuple[str, ...]] = {}
    for row in Synonym.objects.all():
        group = tuple(row.term_list())
        for term in group:
            # A term in two groups stands for both.
            synonyms[term] = tuple(dict.fromkeys(synonyms.get(term, ()) + group))
    return Index(
        version=version,
        entries=entries,
        synonyms=synonyms,
        synonym_phrases=sorted(synonyms, key=len, reverse=True),
        by_code={e.code.lower(): n for n, e in enumerate(entries)},
        names=[e.name_text for e in entries],
        compact_names=[_PUNCTUATION_OR_SPACE.sub("", e.name_text) for e in entries],
        related=[e.related_text for e in entries],
        other=[e.other_text for e in entries],
        pinyin=[e.pinyin for e in entries],
        initials=[e.initials for e in entries],
    )


def _entry(
    row: dict[str, Any],
    materials: dict[int, list[str]],
    events: dict[int, list[tuple[str, str]]],
) -> Entry:
    own_events = events.get(row["id"], [])
    related = " ".join(
        [row["department__name"], *(n for _c, n in own_events), *materials.get(row["id"], [])]
    )
    plain = {name: row[name] for name in _PLAIN_FIELDS}
    plain["department_name"] = row["department__name"]
    return Entry(
        **plain,
        life_event_codes=frozenset(c for c, _n in own_events),
        fee=str(row["fee"]),
        name_text=normalise(row["name"]),
        pinyin=row["name_pinyin"],
        initials=row["name_initials"],
        related_text=normalise(related),
        other_text=normalise(f"{row['conditions']} {row['legal_basis']}"),
        summary={name: plain[name] for name in SUMMARY_FIELDS},
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


def _term_weights(term: Term, index: Index) -> dict[int, int]:
    """entry index -> how well `term` matches it (the best field any of its words is in)."""
    groups = [index.word_weights(word) for word in term.alternatives]
    if term.latin:
        spelled = containing(index.initials, term.typed) + containing(index.pinyin, term.typed)
        groups.append(dict.fromkeys(spelled, WEIGHT_NAME))
    if len(groups) == 1:
        return groups[0]
    weights: dict[int, int] = {}
    for group in groups:
        for n, weight in group.items():
            if weights.get(n, 0) < weight:
                weights[n] = weight
    return weights


def search(
    query: str = "",
    *,
    department: int | None = None,
    life_event: str | None = None,
    level: int | None = None,
) -> list[Entry]:
    """Published items matching `query` and the filters, best first (see the module docstring)."""
    index = get_index()
    entries = index.entries

    def allowed(e: Entry) -> bool:
        return (
            (department is None or e.department_id == department)
            and (life_event is None or life_event in e.life_event_codes)
            and (level is None or e.level == level)
        )

    text = normalise(query)
    if not text:
        return [e for e in entries if allowed(e)]
    exact = index.by_code.get(text)
    if exact is not None:
        return [entries[exact]] if allowed(entries[exact]) else []
    terms = parse_query(query, index)
    if not terms:
        return []
    matched: dict[int, int] = {}
    score: dict[int, int] = {}
    for term in terms:
        for n, weight in _term_weights(term, index).items():
            matched[n] = matched.get(n, 0) + 1
            score[n] = score.get(n, 0) + weight
    whole = _PUNCTUATION_OR_SPACE.sub("", text)
    if whole:
        for n in containing(index.compact_names, whole):
            if n in score:
                score[n] += WEIGHT_WHOLE_NAME
    # Entries are in code order, so the index breaks ties by code.
    ranked = sorted(
        (n for n in matched if allowed(entries[n])), key=lambda n: (-matched[n], -score[n], n)
    )
    return [entries[n] for n in ranked]
