"""Chinese word segmentation (jieba), loaded once per process, off the request path.

jieba builds a prefix dictionary of 350,000 words on first use (about a second) and caches it
as a file; the cache goes to the application's data directory (`settings.DATA_DIR/jieba`),
never the repository, falling back to the system's temporary directory.
"""

import tempfile
import threading
from pathlib import Path

import jieba
from django.conf import settings

_lock = threading.Lock()
_ready = False


def _cache_dir() -> str:
    data_dir = getattr(settings, "DATA_DIR", None)
    if data_dir:
        target = Path(data_dir) / "jieba"
        try:
            target.mkdir(parents=True, exist_ok=True)
            return str(target)
        except OSError:
            pass
    return tempfile.gettempdir()


def warm_up() -> None:
    """Load the dictionary now (idempotent, thread-safe)."""
    global _ready
    if _ready:
        return
    with _lock:
        if _ready:
            return
        jieba.setLogLevel(30)  # its INFO lines about the cache are noise in server logs
        jieba.dt.tmp_dir = _cache_dir()
        jieba.dt.initialize()
        _ready = True


def words(text: str) -> list[str]:
    """The words of `text` in jieba's search mode (a long word and the shorter words inside
    it: 建筑施工 → 建筑, 施工, 建筑施工), blanks dropped, each once."""
    warm_up()
    return list(dict.fromkeys(w for w in (w.strip() for w in jieba.dt.lcut_for_search(text)) if w))
