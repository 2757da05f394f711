"""``kg train``: rebuild every shipped model from the annotated abstracts, deterministically.

    kg train [--data bench/annotations] [--models extractors/models] [--only NAME ...]

1. The training pool (every annotation pair not named ``*test*``) is parsed once by the base pipeline.
2. Word vectors are trained (floret) on unlabelled abstracts, by default the 30,000 arXiv abstracts of
   ``../shared/corpus_arxiv`` (minus any abstract reserved for the hidden evaluation); without ``vectors`` in
   ``--only`` the vectors of the recognizer already in ``--models`` (else of the packaged one) are reused.
3. The entity recognizer (``models/ner``, vectors included) is trained with ``spacy train`` from
   ``training/ner.cfg`` on folds 1-4; fold 0 picks the best checkpoint and measures each label's precision
   (``ner_precision.json``, the mentions' confidence). It trains in a process of its own, beside step 5.
4. Word clusters (``clusters.npz``): k-means of the vectors of the pool's words, so that the linear models read
   a word's neighbourhood as well as the word.
5. So that the later models learn from the entities they will meet, two more recognizers are trained, each on
   one half of the pool, and each annotates the other half (cross-fitting). On those Docs the linear models are
   fitted in pipeline order: mention boundaries and entity refinement, proposed, relations, then the six claim
   models (which read the relations the relation model finds, as at run time). Each is fitted on folds 1-4
   first, to choose its regularization and thresholds on fold 0, then on the whole pool.

Fixed seeds throughout: the same annotations give the same weights. Needs the ``train`` extra (scikit-learn).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import spacy
from spacy.tokens import Doc, DocBin

from extractors.boundaries import MODEL_FILE as BOUNDARIES_FILE
from extractors.claims import CLAIM, YES, ClaimModels
from extractors.claims.candidates import number_candidates
from extractors.claims.patterns import PATTERNS_PATH, ClaimPatterns
from extractors.clusters import CLUSTERS_FILE, WordClusters
from extractors.entities import PRECISION_FILE, PROPOSED_FILE, REFINE_FILE, TYPES, EntityAssembler, EntityRules
from extractors.gazetteer import packaged
from extractors.linear import HASH_BUCKETS, MODELS_DIR, NONE, LinearModel, hashed
from extractors.relations import MODEL_FILE as RELATIONS_FILE
from extractors.relations import RELATION_LABELS, RelationExtractor
from extractors.training.corpus import VALIDATION_FOLD, Annotated, fold_of, gold_spans, load
from extractors.training.examples import ClaimExamples, Examples, Prepared, boundary_examples, claim_examples, \
    proposed_examples, refine_examples, relation_examples, with_predicted_entities, with_relations
from kg.errors import ConfigError
from kg.pipeline import build_nlp
from kg.settings import Settings

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

DATA_DIR = Path(__file__).resolve().parents[2] / "bench" / "annotations"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus_arxiv" / "arxiv_cs_30k.jsonl.gz"
RESERVED = Path(__file__).resolve().parents[3] / "shared" / "eval" / "reserved.py"
NER_CONFIG = Path(__file__).parent / "ner.cfg"
MODELS = ("vectors", "ner", "clusters", "entities", "proposed", "relations", "claims")
FLORET = {"model": "cbow", "mode": "floret", "hashCount": 2, "bucket": 50000, "minn": 3, "maxn": 5, "minCount": 2,
          "dim": 100, "epoch": 5, "lr": 0.05, "thread": 1}
"""Word vectors (floret: subword hashes, so unseen names still get a vector); one thread, so the same text gives
the same vectors."""
CLUSTER_MIN_COUNT = 2
"""A word of the training pool is clustered when it occurs at least this often."""
C_GRID = (0.1, 0.3, 1.0)
RANKER_FITS = {"metric": "pointwise", "subject": "listwise", "dataset": "pointwise"}
"""How each claim attribute ranker is fitted: ``pointwise``, a logistic regression over every choice on its own
(:func:`_fit`), or ``listwise``, a softmax over each claim's choices (:func:`_fit_ranker`); chosen on the
pool's folds (``bench/QUALITY.md``, L12)."""
SEED = 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry (also ``kg train``)."""
    parser = argparse.ArgumentParser(prog="kg train", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="annotation pairs (default: bench/annotations)")
    parser.add_argument("--models", type=Path, default=MODELS_DIR, help="where the models go")
    parser.add_argument("--only", nargs="+", choices=MODELS, default=list(MODELS), help="rebuild only these")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="unlabelled abstracts for the word vectors "
                        "(JSON Lines, .gz allowed; default: ../shared/corpus_arxiv/arxiv_cs_30k.jsonl.gz)")
    parser.add_argument("--max-epochs", type=int, metavar="N", help="cap the recognizer's epochs (default: ner.cfg's)")
    parser.add_argument("--held-out", type=int, metavar="FOLD", help="leave this fold out (cross-validation)")
    parser.add_argument("--validation", type=int, default=VALIDATION_FOLD, metavar="FOLD",
                        help="the fold that picks checkpoints and thresholds (default: 0)")
    args = parser.parse_args(argv)
    train(data=args.data, models=args.models, only=tuple(args.only), held_out=args.held_out,
          validation=args.validation, max_epochs=args.max_epochs, corpus=args.corpus, log=lambda m: print(f"kg: {m}", file=sys.stderr))
    return 0


def train(*, data: Path, models: Path, only: tuple[str, ...] = MODELS, held_out: int | None = None,
          validation: int = VALIDATION_FOLD, max_epochs: int | None = None, corpus: Path = CORPUS,
          log: Callable[[str], None] = lambda m: None) -> None:
    """Rebuild the chosen models from the annotations in ``data`` into ``models``.

    Args:
        data: the annotation pairs.
        models: where the models go.
        only: which models to rebuild.
        held_out: a fold left out entirely (cross-validation); None trains on the whole pool.
        validation: the fold that picks checkpoints, regularization and thresholds.
        max_epochs: cap on the recognizer's training epochs (``ner.cfg``'s when None).
        corpus: unlabelled abstracts for the word vectors.
        log: progress lines.
    """
    try:
        import sklearn  # noqa: F401, PLC0415 - a training dependency only
    except ImportError as exc:
        raise ConfigError("training needs scikit-learn: pip install -e '.[train]'") from exc
    started = time.perf_counter()
    pool = [item for item in load(data) if item.fold != held_out]
    if not pool:
        raise ConfigError(f"no annotated abstracts in {data}")
    _refuse_reserved(pool)
    digest = _digest(pool)
    log(f"train: {len(pool)} annotated abstracts (digest {digest}); parsing")
    nlp = build_nlp(Settings(n_process=1), components=())
    models.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kg-train-") as tmp:
        work = Path(tmp)
        vectors = work / "vectors"
        if "vectors" in only:
            _train_vectors(nlp, corpus, vectors, log)
        else:
            _shipped_vectors(models, vectors)
        nlp.vocab.vectors = spacy.load(vectors).vocab.vectors
        final = None
        if "ner" in only or "vectors" in only:
            final = _start_ner(nlp, pool, work / "final", vectors, validation, max_epochs)
            log(f"train: recognizer on {final.size} abstracts, validated on fold {validation} (in the background)")
        linear = tuple(m for m in only if m not in ("vectors", "ner", "clusters"))
        clustered = "clusters" in only or "vectors" in only
        docs = list(nlp.pipe((a.paper.text for a in pool), batch_size=64)) if linear or clustered else []
        if clustered:
            words = cluster_words(docs)
            WordClusters.fit(words, nlp.vocab).save(models / CLUSTERS_FILE)
            log(f"train: word clusters of the pool's {len(words)} words")
        if linear:
            recognizers = cross_fitted_recognizers(nlp, pool, work, vectors, validation, max_epochs, log)
            annotated = []
            for item, doc in zip(pool, docs, strict=True):
                recognizer, precision = recognizers[half(item)]
                annotated.append((item, recognizer(doc), precision))
            clusters = WordClusters.load(models / CLUSTERS_FILE, nlp.vocab)
            _fit_linear(annotated, models, {"data": digest, "validation_fold": validation}, linear, clusters, log)
        if final is not None:
            _save_recognizer(final, nlp, models, digest, log)
    log(f"train: done in {time.perf_counter() - started:.0f} s")


def _reserved_check() -> Callable[[str, str], bool]:
    """``is_reserved(title, abstract)`` of ``../shared/eval/reserved.py`` (abstracts of the hidden evaluation), or
    a check that reserves nothing when that file is absent."""
    if not RESERVED.exists():
        return lambda title, abstract: False
    spec = importlib.util.spec_from_file_location("reserved", RESERVED)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.is_reserved


def _refuse_reserved(pool: list[Annotated]) -> None:
    """Stop when an annotated abstract is reserved for the hidden evaluation."""
    is_reserved = _reserved_check()
    reserved = [item.paper.source for item in pool if is_reserved(item.paper.title, item.paper.abstract)]
    if reserved:
        raise ConfigError(f"{len(reserved)} annotated abstracts are reserved for the hidden evaluation and may not "
                          f"be trained on: {', '.join(reserved[:5])}")


def _digest(pool: list[Annotated]) -> str:
    """A fingerprint of the training data (texts and gold records)."""
    h = hashlib.sha256()
    for item in pool:
        h.update(item.paper.text.encode("utf-8"))
        h.update(json.dumps(item.gold, sort_keys=True).encode("utf-8"))
    return h.hexdigest()[:16]


def _classes(examples: Examples) -> tuple[str, ...]:
    return tuple(sorted(set(examples.labels)))


# -- the recognizer -----------------------------------------------------------------------------------------------


def _train_vectors(nlp: spacy.Language, corpus: Path, target: Path, log: Callable[[str], None]) -> None:
    """floret vectors over the tokens of the corpus's titles and abstracts, as a spaCy vectors pipeline."""
    import floret  # noqa: PLC0415 - a training dependency only
    from spacy.training.initialize import convert_vectors  # noqa: PLC0415

    if not corpus.exists():
        raise ConfigError(f"no corpus for the word vectors at {corpus}: give --corpus, or leave 'vectors' out of "
                          "--only to reuse the shipped ones")
    opener = gzip.open if corpus.suffix == ".gz" else open
    with tempfile.TemporaryDirectory(prefix="kg-floret-") as tmp:
        text = Path(tmp) / "tokens.txt"
        with opener(corpus, "rt", encoding="utf-8") as source, text.open("w", encoding="utf-8") as out:
            is_reserved = _reserved_check()
            records = (json.loads(line) for line in source if line.strip())
            papers = (f"{r.get('title', '')}\n\n{r.get('abstract', '')}" for r in records
                      if not is_reserved(r.get("title", ""), r.get("abstract", "")))
            lines = 0
            for doc in nlp.tokenizer.pipe(papers, batch_size=256):
                out.write(" ".join(t.text for t in doc if not t.is_space) + "\n")
                lines += 1
        log(f"train: word vectors (floret, {FLORET['dim']} dimensions) on {lines} abstracts of {corpus.name}")
        model = floret.train_unsupervised(str(text), **FLORET, verbose=0)
        model.save_floret_vectors(str(Path(tmp) / "vectors.floret"))
        blank = spacy.blank("en")
        convert_vectors(blank, Path(tmp) / "vectors.floret", truncate=0, prune=-1, mode="floret")
        blank.to_disk(target)


def cluster_words(docs: Iterable[Doc]) -> list[str]:
    """The lower-case words of the Docs that k-means clusters: alphabetic, at least two letters, at least
    :data:`CLUSTER_MIN_COUNT` occurrences."""
    counts = Counter(t.lower_ for doc in docs for t in doc if t.is_alpha and len(t) > 1)
    return sorted(w for w, n in counts.items() if n >= CLUSTER_MIN_COUNT)


def _shipped_vectors(models: Path, target: Path) -> None:
    """The vectors of the recognizer in ``models`` (else the packaged one), as a spaCy vectors pipeline."""
    source = models / "ner" if (models / "ner").exists() else MODELS_DIR / "ner"
    try:
        shipped = spacy.load(source)
    except OSError as exc:
        raise ConfigError(f"no recognizer at {source} to take word vectors from: add 'vectors' to --only") from exc
    blank = spacy.blank("en")
    blank.vocab.vectors = shipped.vocab.vectors
    blank.to_disk(target)


def cross_fitted_recognizers(nlp: spacy.Language, pool: list[Annotated], work: Path, vectors: Path, validation: int,
                             max_epochs: int | None, log: Callable[[str], None]
                             ) -> dict[int, tuple[Callable[[Doc], Doc], dict[str, float]]]:
    """Two recognizers with their precision per label: the one under key h was trained on the other half of the
    pool and annotates half h (see :func:`half`). Both train at once, each in a process of its own."""
    halves = [[a for a in pool if half(a) == h] for h in (0, 1)]
    log(f"train: cross-fitting recognizers on halves of {len(halves[0])} and {len(halves[1])} abstracts")
    jobs = {h: _start_ner(nlp, halves[1 - h], work / f"half{h}", vectors, validation, max_epochs) for h in (0, 1)}
    return {h: job.finish(nlp) for h, job in jobs.items()}


def half(item: Annotated) -> int:
    """Which half of the pool a paper is in, for cross-fitting."""
    return zlib.crc32(f"half:{item.paper.id}".encode()) % 2


@dataclass(slots=True)
class _NerJob:
    """A ``spacy train`` run of the recognizer in a process of its own."""

    process: subprocess.Popen
    out: Path
    dev: list[Doc]
    size: int
    trained: spacy.Language | None = None

    def finish(self, nlp: spacy.Language) -> tuple[Callable[[Doc], Doc], dict[str, float]]:
        """Wait for the run; its recognizer (with its own tok2vec) and each label's precision on the dev Docs."""
        if self.process.wait() != 0:
            raise ConfigError(f"training the recognizer failed; see {self.out / 'train.log'}")
        trained = spacy.load(self.out / "model-best")
        trained.replace_listeners("tok2vec", "ner", ["model.tok2vec"])
        trained.remove_pipe("tok2vec")
        recognizer = trained.get_pipe("ner")
        self.trained = trained
        return recognizer, _label_precision(recognizer, [(nlp.make_doc(d.text), d) for d in self.dev])


def _start_ner(nlp: spacy.Language, items: list[Annotated], out: Path, vectors: Path, validation: int,
               max_epochs: int | None) -> _NerJob:
    """Start training a recognizer on ``items`` (the validation fold picks the checkpoint)."""
    train_bin, dev_bin, dev_docs = DocBin(), DocBin(), []
    for item in items:
        doc = nlp.make_doc(item.paper.text)
        doc.ents = gold_spans(doc, item.gold)
        if item.fold == validation:
            dev_bin.add(doc)
            dev_docs.append(doc)
        else:
            train_bin.add(doc)
    out.mkdir(parents=True)
    train_bin.to_disk(out / "train.spacy")
    dev_bin.to_disk(out / "dev.spacy")
    command = [sys.executable, "-m", "spacy", "train", str(NER_CONFIG), "--output", str(out / "model"),
               "--paths.train", str(out / "train.spacy"), "--paths.dev", str(out / "dev.spacy"),
               "--paths.vectors", str(vectors)]
    if max_epochs is not None:
        command += ["--training.max_epochs", str(max_epochs)]
    with (out / "train.log").open("w") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    return _NerJob(process, out / "model", dev_docs, len(train_bin))


def _save_recognizer(job: _NerJob, nlp: spacy.Language, models: Path, digest: str,
                     log: Callable[[str], None]) -> None:
    """Wait for the final recognizer and ship it with its precision per label."""
    _, precision = job.finish(nlp)
    trained = job.trained
    assert trained is not None
    trained.meta["kg"] = {"data": digest}
    trained.config["paths"].update({"train": None, "dev": None, "vectors": None})  # temporary paths: no trace
    target = models / "ner"
    if target.exists():
        shutil.rmtree(target)
    trained.to_disk(target)
    (models / PRECISION_FILE).write_text(json.dumps(precision, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    log(f"train: recognizer precision on the validation fold {precision}")


def _label_precision(recognizer: Callable[[Doc], Doc], pairs: list) -> dict[str, float]:
    """Each label's mention precision (exact span and label) on (unannotated, gold) Doc pairs."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for blank, gold in pairs:
        predicted = recognizer(blank)
        truth = {(e.start_char, e.end_char, e.label_) for e in gold.ents}
        for e in predicted.ents:
            total[e.label_] += 1
            right[e.label_] += (e.start_char, e.end_char, e.label_) in truth
    return {label: round(right[label] / total[label], 3) for label in sorted(total)}


# -- linear models -------------------------------------------------------------------------------------------------


def _fit_linear(annotated: list[tuple[Annotated, Doc, dict[str, float]]], models: Path, meta: dict,
                only: tuple[str, ...], clusters: WordClusters | None, log: Callable[[str], None]) -> None:
    """Fit the linear models in pipeline order on Docs a cross-fitted recognizer annotated."""
    rules = EntityRules.load()
    boundaries = LinearModel.load(models / BOUNDARIES_FILE)
    refine = LinearModel.load(models / REFINE_FILE)
    if "entities" in only:
        edges = boundary_examples(((item, doc) for item, doc, _ in annotated),
                                  EntityAssembler(rules, packaged(), precision={}, refine=None, proposed=None,
                                                  clusters=clusters, boundaries=None))
        boundaries = _save_linear(models / BOUNDARIES_FILE, edges, _classes(edges), meta, None, log)
        bare = EntityAssembler(rules, packaged(), precision={}, refine=None, proposed=None, clusters=clusters,
                               boundaries=boundaries)
        examples = Examples()
        for item, doc, precision in annotated:
            bare.precision = precision
            part = refine_examples([(item, doc)], bare)
            for row, label, paper in zip(part.rows, part.labels, part.papers, strict=True):
                examples.add(row, label, paper)
        refine = _save_linear(models / REFINE_FILE, examples, (NONE, *TYPES), meta, _refine_threshold, log)
    proposed = LinearModel.load(models / PROPOSED_FILE)
    if "proposed" in only:
        prepared = _assembled(annotated, EntityAssembler(rules, packaged(), precision={}, refine=refine,
                                                          proposed=None, clusters=clusters,
                                                          boundaries=boundaries))
        proposed = _save_linear(models / PROPOSED_FILE, proposed_examples(prepared), (NONE, "proposed"), meta,
                                _binary_threshold("proposed"), log)
    if "relations" not in only and "claims" not in only:
        return
    prepared = _assembled(annotated, EntityAssembler(rules, packaged(), precision={}, refine=refine,
                                                      proposed=proposed, clusters=clusters,
                                                      boundaries=boundaries))
    relations = LinearModel.load(models / RELATIONS_FILE)
    if "relations" in only:
        relations = _save_linear(models / RELATIONS_FILE, relation_examples(prepared), RELATION_LABELS, meta,
                                 _relation_thresholds, log)
    if "claims" in only:
        extractor = RelationExtractor(relations)
        prepared = [with_relations(p, extractor) for p in prepared]
        patterns = ClaimPatterns.load(PATTERNS_PATH)
        save_claim_models(claim_examples(prepared, lambda doc: number_candidates(doc.text, patterns)), models, meta,
                          log)


def save_claim_models(examples: ClaimExamples, models: Path, meta: dict, log: Callable[[str], None]) -> None:
    """Fit and save the six claim models: the claim, unit and direction classifiers, and the attribute rankers
    (each by the fit that :data:`RANKER_FITS` names)."""
    files = ClaimModels.FILES
    _save_linear(models / files["claim"], examples.claim, (NONE, CLAIM), meta, _binary_threshold(CLAIM), log)
    _save_linear(models / files["unit"], examples.unit, _classes(examples.unit), meta, None, log)
    _save_linear(models / files["direction"], examples.direction, _classes(examples.direction), meta, None, log)
    for attribute, attribute_examples in examples.attributes.items():
        _save_linear(models / files[attribute], attribute_examples, (NONE, YES), meta, None, log,
                     fit=RANKER_FITTERS[RANKER_FITS[attribute]])


def _assembled(annotated: list[tuple[Annotated, Doc, dict[str, float]]], assembler: EntityAssembler
               ) -> list[Prepared]:
    """The Docs with the entity component's records, matched to gold."""
    out = []
    for item, doc, precision in annotated:
        assembler.precision = precision
        out.append(with_predicted_entities(item, assembler(doc)))
    return out

Thresholds = Callable[[LinearModel, Examples], dict]


def _save_linear(path: Path, examples: Examples, classes: tuple[str, ...], meta: dict,
                 choose: Thresholds | None, log: Callable[[str], None], *,
                 fit: Callable[[Examples, tuple[str, ...], float], LinearModel] | None = None) -> LinearModel:
    """Choose C (and thresholds) on the validation fold, refit on everything, save; the model as saved (float16),
    so that the models fitted after it learn from the decisions it will make at run time. ``fit`` is
    :func:`_fit` unless given (:func:`_fit_ranker` for the claim attribute rankers)."""
    fit = fit or _fit
    train_part = _subset(examples, lambda paper: fold_of(paper) != meta["validation_fold"])
    valid_part = _subset(examples, lambda paper: fold_of(paper) == meta["validation_fold"])
    best: tuple[float, float, dict] | None = None
    for c in C_GRID:
        model = fit(train_part, classes, c)
        settings = choose(model, valid_part) if choose else {}
        quality = settings.pop("score", None) if settings else None
        if quality is None:
            quality = _accuracy(model, valid_part)
        if best is None or quality > best[0]:
            best = (quality, c, settings)
    assert best is not None
    quality, c, settings = best
    final = fit(examples, classes, c)
    final = LinearModel(final.labels, final.weights, final.bias,
                        {**meta, "examples": len(examples.labels), "C": c, "validation": round(quality, 4), **settings})
    final.save(path)
    log(f"train: {path.name}: {len(examples.labels)} examples, C={c}, validation {quality:.3f} {settings or ''}")
    saved = LinearModel.load(path)
    assert saved is not None
    return saved


def _subset(examples: Examples, keep: Callable[[str], bool]) -> Examples:
    """The examples (and unreachable gold labels) of the papers ``keep`` accepts."""
    out = Examples()
    for row, label, paper in zip(examples.rows, examples.labels, examples.papers, strict=True):
        if keep(paper):
            out.add(row, label, paper)
    out.unreachable = [(paper, label) for paper, label in examples.unreachable if keep(paper)]
    return out


def _fit(examples: Examples, classes: tuple[str, ...], c: float) -> LinearModel:
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    matrix = _matrix(examples.rows, np.float32)
    target = np.array([classes.index(label) for label in examples.labels])
    weights = np.zeros((HASH_BUCKETS, len(classes)), dtype=np.float32)
    bias = np.full(len(classes), -30.0, dtype=np.float32)
    present = sorted(set(target.tolist()))
    if len(present) == 1:
        bias[present[0]] = 0.0
        return LinearModel(classes, weights, bias)
    model = LogisticRegression(C=c, max_iter=2000, random_state=SEED).fit(matrix, target)
    if len(model.classes_) == 2:
        weights[:, model.classes_[1]] = model.coef_[0]
        bias[model.classes_[0]] = 0.0
        bias[model.classes_[1]] = model.intercept_[0]
    else:
        weights[:, model.classes_] = model.coef_.T
        bias[model.classes_] = model.intercept_
    return LinearModel(classes, weights, bias)


def _fit_ranker(examples: Examples, classes: tuple[str, ...], c: float) -> LinearModel:
    """A conditional logit: one weight per feature, trained so that each group's right choices (a claim's rows,
    "none" first; any of its rows labelled ``YES``) win the softmax over the group's rows, with an L2 penalty of
    ``1 / (2C)``. Saved as a two-class model whose ``YES`` score rises with the choice's logit."""
    from scipy.optimize import minimize  # noqa: PLC0415 - scipy comes with scikit-learn

    matrix = _matrix(examples.rows, np.float64)
    starts = np.array([g[0] for g in _groups(examples.rows)], dtype=np.int64)
    group = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(examples.rows))))
    right = np.array([label == YES for label in examples.labels])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        logits = matrix @ w
        shifted = np.exp(logits - np.maximum.reduceat(logits, starts)[group])
        total = np.add.reduceat(shifted, starts)
        wanted = np.add.reduceat(shifted * right, starts)
        value = float(np.sum(np.log(total) - np.log(wanted)))
        gradient = shifted / total[group] - shifted * right / wanted[group]
        return c * value + 0.5 * float(w @ w), c * (matrix.T @ gradient) + w

    solution = minimize(loss, np.zeros(HASH_BUCKETS), jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    weights = np.zeros((HASH_BUCKETS, len(classes)), dtype=np.float32)
    weights[:, classes.index(YES)] = solution.x
    return LinearModel(classes, weights, np.zeros(len(classes), dtype=np.float32))


RANKER_FITTERS = {"pointwise": _fit, "listwise": _fit_ranker}
"""The fits :data:`RANKER_FITS` names."""


def _matrix(rows: list[list[str]], dtype: type[np.floating]) -> csr_matrix:
    """The rows' hashed features as a sparse matrix (a feature named twice counts twice)."""
    from scipy.sparse import csr_matrix  # noqa: PLC0415 - scipy comes with scikit-learn

    indices = [hashed(r) for r in rows]
    matrix = csr_matrix((np.ones(sum(len(i) for i in indices), dtype=dtype), np.concatenate(indices),
                         np.cumsum([0, *map(len, indices)])), shape=(len(indices), HASH_BUCKETS))
    matrix.sum_duplicates()
    return matrix


def _groups(rows: list[list[str]]) -> list[list[int]]:
    """The rows of each ranking group: consecutive rows of one claim, its "none" choice first."""
    groups: list[list[int]] = []
    for i, row in enumerate(rows):
        if row[0].endswith(":none") or not groups:
            groups.append([])
        groups[-1].append(i)
    return groups


def _accuracy(model: LinearModel, examples: Examples) -> float:
    if not examples.rows:
        return 0.0
    scores = model.scores(examples.rows)
    predicted = [model.labels[i] for i in scores.argmax(axis=1)]
    if set(examples.labels) <= {NONE, YES}:
        return _ranking_accuracy(model, examples)
    return sum(p == g for p, g in zip(predicted, examples.labels, strict=True)) / len(predicted)


def _ranking_accuracy(model: LinearModel, examples: Examples) -> float:
    """For rankers: the share of groups (consecutive rows of one claim, "none" first) whose top choice is right."""
    scores = model.scores(examples.rows)[:, model.labels.index(YES)]
    groups = _groups(examples.rows)
    right = sum(examples.labels[max(g, key=lambda i: scores[i])] == YES for g in groups)
    return right / len(groups)


def _f1(tp: int, predicted: int, gold: int) -> float:
    return 2 * tp / (predicted + gold) if predicted + gold else 0.0


def _binary_threshold(positive: str) -> Thresholds:
    """The probability cut-off with the best F1 of ``positive`` on the validation examples."""
    def choose(model: LinearModel, examples: Examples) -> dict:
        scores = model.scores(examples.rows)[:, model.labels.index(positive)]
        gold = np.array([label == positive for label in examples.labels])
        best = max((_f1(int((scores >= t)[gold].sum()), int((scores >= t).sum()), int(gold.sum())), -abs(t - 0.5), t)
                   for t in np.arange(0.2, 0.81, 0.05))
        return {"threshold": round(float(best[2]), 2), "score": best[0]}
    return choose


def _refine_threshold(model: LinearModel, examples: Examples) -> dict:
    """The P(NONE) cut-off with the best typed F1 of the kept entities on the validation candidates."""
    scores = model.scores(examples.rows)
    none = scores[:, model.labels.index(NONE)]
    types = [model.labels[1 + i] for i in scores[:, 1:].argmax(axis=1)]
    gold = sum(label != NONE for label in examples.labels)
    best = (0.0, 0.0, 0.5)
    for t in np.arange(0.2, 0.81, 0.05):
        kept = none < t
        right = sum(1 for k, p, g in zip(kept, types, examples.labels, strict=True) if k and p == g)
        best = max(best, (_f1(right, int(kept.sum()), gold), -abs(t - 0.5), float(t)))
    return {"threshold": round(best[2], 2), "score": best[0]}


def _relation_thresholds(model: LinearModel, examples: Examples) -> dict:
    """One cut-off per relation type, each with the best F1 of that type on the validation papers, counting as
    missed the gold relations no pair carries (as the scorer does: the cut-off that is best over the reachable
    pairs alone keeps too few)."""
    scores = model.scores(examples.rows)
    thresholds: dict[str, float] = {}
    total = [0, 0, 0]
    for label in RELATION_LABELS[1:]:
        column = scores[:, model.labels.index(label)]
        argmax = scores[:, 1:].argmax(axis=1) + 1 == model.labels.index(label)
        gold = np.array([g == label for g in examples.labels])
        stated = int(gold.sum()) + sum(1 for _, kind in examples.unreachable if kind == label)
        options = []
        for t in np.arange(0.05, 0.81, 0.05):
            chosen = argmax & (column >= t)
            options.append((_f1(int(chosen[gold].sum()), int(chosen.sum()), stated), -abs(t - 0.5), t,
                            int(chosen[gold].sum()), int(chosen.sum())))
        f1, _, t, tp, predicted = max(options)
        thresholds[label] = round(float(t), 2)
        total[0] += tp
        total[1] += predicted
        total[2] += stated
    return {"thresholds": thresholds, "score": _f1(*total)}


if __name__ == "__main__":
    sys.exit(main())
