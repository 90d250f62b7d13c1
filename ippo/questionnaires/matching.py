"""Suggest catalog controls for a buyer's question: character n-grams, TF-IDF weights, cosine similarity.

Japanese has no spaces between words, and a tokenizer (MeCab, Sudachi) would be a heavy dependency for
one feature. Character bigrams and trigrams need none and work for both languages: 「パスワードを定期的に
変更」 and 「パスワードの変更」 share パス, スワ, ワー, ード …, and "password" shares "pas", "ass", "ssw" …
with "passwords". Weighting each n-gram by how rare it is across the catalog (inverse document frequency)
makes 「していますか」 or "do you" count for almost nothing and 「バックアップ」 or "backup" count a lot.

A control is compared field by field (title, question, why) and language by language, and its score is the
best language's weighted mean: a Japanese question is not diluted by the English text, and a long
explanation does not drown a short title. A few words buyers use for what the catalog says differently
(パッチ for 更新プログラム, anti-virus for anti-malware) are added to the question before matching.

Everything here is a pure function of its inputs: no database, no randomness, ties broken by control id.
"""

from __future__ import annotations

import functools
import hashlib
import math
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

NGRAM_SIZES = (2, 3)
# How a person reads a score (calibrated on realistic questionnaires, see tests/test_matching.py): from
# HIGH up the first suggestion is nearly always right; below MEDIUM it is a guess.
HIGH = 0.2
MEDIUM = 0.1
# A question at least this similar to one answered before is "the same question, worded differently".
NEAR = 0.5
# Field weights in a control's score.
FIELD_WEIGHTS = {"title": 2.0, "question": 2.0, "why": 1.0}

# Words buyers' checklists use for what the catalog says in other words. Each group is one meaning: a
# question containing one of them is matched as if it contained them all.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("パッチ", "更新プログラム", "アップデート", "patch", "update"),
    ("ウイルス対策", "アンチウイルス", "マルウェア対策", "antivirus", "anti-virus", "anti-malware"),
    ("二要素認証", "二段階認証", "2段階認証", "多要素認証", "2fa", "two-factor", "multi-factor"),
    ("標的型メール", "フィッシング", "phishing"),
    ("業務委託", "外部委託", "委託先", "outsourc", "vendor", "supplier"),
    ("入退室", "入退館", "来訪者", "visitor"),
    ("研修", "教育", "training"),
    ("台帳", "一覧", "inventory"),
    ("規程", "規定", "社内ルール", "rules"),
)

Vector = dict[str, float]


def normalise(text: str) -> str:
    """NFKC (full-width → half-width, ｶﾀｶﾅ → カタカナ), lower case, and only letters and digits kept: spaces,
    punctuation and symbols (「」、。？・○) carry no meaning for matching."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def question_hash(text: str) -> str:
    """The key a question is remembered by: the same after normalising means the same question."""
    return hashlib.sha256(normalise(text).encode()).hexdigest()


def ngrams(text: str) -> Counter[str]:
    """Character bigrams and trigrams of the normalised text (a one-character text is its own gram)."""
    norm = normalise(text)
    grams: Counter[str] = Counter()
    for size in NGRAM_SIZES:
        grams.update(norm[i : i + size] for i in range(len(norm) - size + 1))
    if not grams and norm:
        grams[norm] += 1
    return grams


@functools.cache
def _synonym_groups() -> tuple[tuple[frozenset[str], str], ...]:
    return tuple((frozenset(normalise(w) for w in group), " ".join(group)) for group in SYNONYMS)


def expand(text: str) -> str:
    """The text with the other words of every synonym group it mentions appended."""
    norm = normalise(text)
    extra = [words for keys, words in _synonym_groups() if any(k in norm for k in keys)]
    return " ".join([text, *extra]) if extra else text


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine similarity of two unit vectors (their dot product)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[gram] for gram, w in a.items() if gram in b)


def _unit(weights: Mapping[str, float]) -> Vector:
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {gram: w / norm for gram, w in weights.items()} if norm else {}


# A document: one or more variants (a control's Japanese and English texts), each a list of weighted
# fields [(weight, text), …].
Fields = Sequence[tuple[float, str]]


@dataclass(frozen=True)
class Index:
    idf: Mapping[str, float]
    unseen_idf: float
    # id → variants → [(weight, unit vector)]
    documents: Mapping[str, tuple[tuple[tuple[float, Vector], ...], ...]]

    def vector(self, text: str) -> Vector:
        """A text's TF-IDF vector, unit length (empty for a text without letters or digits)."""
        return _unit(
            {
                gram: (1.0 + math.log(count)) * self.idf.get(gram, self.unseen_idf)
                for gram, count in ngrams(text).items()
            }
        )

    def score(self, query: Vector, doc_id: str) -> float:
        best = 0.0
        for fields in self.documents[doc_id]:
            total = sum(w for w, _v in fields)
            if total:
                best = max(best, sum(w * cosine(query, v) for w, v in fields) / total)
        return best

    def rank(self, text: str, limit: int = 3) -> list[tuple[str, float]]:
        """The `limit` documents most similar to `text`, best first: [(id, score 0–1), …]. Documents that
        share nothing with the text are left out."""
        query = self.vector(expand(text))
        scored = [(doc_id, round(self.score(query, doc_id), 6)) for doc_id in self.documents]
        scored = [pair for pair in scored if pair[1] > 0]
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[:limit]

    def similarity(self, a: str, b: str) -> float:
        """How alike two questions are (0–1), weighted by the same rarity of n-grams."""
        return round(cosine(self.vector(a), self.vector(b)), 6)


def build_index(documents: Mapping[str, Sequence[Fields]]) -> Index:
    """Index documents given as id → variants → weighted fields. The rarity (IDF) of an n-gram is counted
    over documents, all variants and fields together."""
    grams = {
        doc_id: [[(w, ngrams(text)) for w, text in fields] for fields in variants]
        for doc_id, variants in documents.items()
    }
    df: Counter[str] = Counter()
    for variants in grams.values():
        df.update({g for fields in variants for _w, counts in fields for g in counts})
    total = len(grams)
    idf = {gram: math.log((1 + total) / (1 + n)) + 1.0 for gram, n in df.items()}

    def vec(counts: Counter[str]) -> Vector:
        return _unit({g: (1.0 + math.log(c)) * idf[g] for g, c in counts.items()})

    return Index(
        idf=idf,
        unseen_idf=math.log(1 + total) + 1.0,
        documents={
            doc_id: tuple(tuple((w, vec(counts)) for w, counts in fields) for fields in variants)
            for doc_id, variants in grams.items()
        },
    )


def control_documents(controls) -> dict[str, list[Fields]]:
    """A control's texts for matching: title, question and why, one variant per language."""
    return {
        c.id: [
            [(weight, getattr(getattr(c, name), language)) for name, weight in FIELD_WEIGHTS.items()]
            for language in ("ja", "en")
        ]
        for c in controls
    }


@functools.cache
def _catalog_index(version: str) -> Index:
    from ippo.catalog.loader import catalog_get

    return build_index(control_documents(catalog_get().controls))


def catalog_index() -> Index:
    """The index of the catalog's controls, built once per process and catalog version."""
    from ippo.catalog.loader import catalog_get

    return _catalog_index(catalog_get().version)


def suggest(text: str, limit: int = 3) -> list[tuple[str, float]]:
    """The catalog controls that best match a question: [(control id, score), …], best first."""
    return catalog_index().rank(text, limit)


def strength(score: float) -> str:
    """ "high", "medium" or "low": how a person reads a score."""
    if score >= HIGH:
        return "high"
    if score >= MEDIUM:
        return "medium"
    return "low"
