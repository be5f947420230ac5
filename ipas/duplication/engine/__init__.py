"""The duplication engine: which activities look like the same work, how strongly, and why.

No web code lives here, and no writes: the services in ipas/duplication/services.py write what it finds.
Callers use this package (`from ipas.duplication import engine`, then `engine.find_pairs`, ...); it only
re-exports the names of its modules. The engine answers three questions:

- `find_pairs(corpus, names=organisation_labels)`: every pair of activities that looks duplicated (the full
  report), on a corpus read by `load_corpus()`;
- `check_activity(activity_id)`: the pairs one activity forms with the others (the check after a save);
- `consult(user, concept)`: the activities closest to a planned concept (the check before planning); it lives
  in ipas/consult/selectors.py, which adds what the user may see to the engine's candidates
  (`consult_index().candidates`), exact scores (`score_concept`) and objectives (`suggest_objectives`).

Pure modules (numpy, scipy and rapidfuzz only: no Django, no model, no database, so they run without one):

- `tuning`: the thresholds and limits (FLAG_THRESHOLD, OTHER_PILLAR_FACTOR, CONSULT_REBUILD_AFTER, ...);
- `text`: stop words, stemmer, accent folding, the `Vocabulary` and this process's one `VOCABULARY`;
- `vectors`: the TF-IDF `FeatureSpace`, the `WordWeights` a full run keeps, `vectorize`;
- `corpus_model`: `Corpus` and `Groups`, the compared activities as columns;
- `pairs`: candidates, exact scores, `describe_pair` and `find_pairs` (donors' names come from its caller);
- `highlighting`: `highlight`, the words and passages two texts share;
- `fingerprints`: what a settled pair is remembered by (`fingerprint`) and what changed (`material_changes`);
- `concepts`: `Concept`, `Match`, `score_concept`, `suggest_objectives`.

Modules that read the database (Django imported inside their functions, so importing the engine needs none):

- `corpus`: `load_corpus`, `organisation_labels`, `check_activity`;
- `material`: `material_fields`, the fields `fingerprint` digests;
- `consultation`: `ConsultIndex` and this process's one index (`consult_index()`), kept up to date from the
  audit trail (`data_version`, `index_moment`, `changed_since`).

How the full run avoids comparing 5 billion pairs:

1. Text is tokenised for the whole corpus at once with numpy (a rolling hash over the UTF-8 bytes), so no
   Python loop runs per word; each distinct word is stemmed once. Features are word stems and stem bigrams,
   weighted by TF-IDF (sublinear tf, title counted twice), float32 rows of unit length.
2. Blocking: a pair can only be a duplicate if both activities share a beneficiary and their periods
   overlap. For each beneficiary, its activities are sorted by start date; each chunk of rows is multiplied
   only with the earlier activities still running when the chunk starts. Sparse products stay small.
3. Candidates above a cosine floor are re-scored exactly, pair by pair, with rapidfuzz on the normalised
   title and description (robust to word order, dropped and added words and typos). The score also weighs
   words by how rare they are among all activities: the full run fits these weights and keeps them
   (`WordWeights`), and the check after a save uses them, so both score a pair alike.
4. Rules: a pair is flagged at FLAG_THRESHOLD and above. A shared beneficiary and overlapping periods are
   required (step 2); pillars with none in common lower the score (OTHER_PILLAR_FACTOR); the same donor on
   both sides makes it a possible double entry, different donors the cross-donor case.

State kept per process lives in one module each, never copied here: `text.VOCABULARY` (re-exported: the same
object) and the consultation index (`consultation._INDEX` and its lock, reached through `consult_index()`).
Only the constants other code reads are re-exported; a test that changes one patches the module that reads
it (`consultation.CONSULT_REBUILD_AFTER`, `text.QUERY_STEMS`): patching a copy here would change nothing.
(`highlighting` and `consultation` are not named after `highlight` and `consult_index`: a submodule and the
function this package exports would then share one name, and `import ... as` could yield either.)
"""

from ipas.duplication.engine.concepts import Concept, Match, score_concept, suggest_objectives
from ipas.duplication.engine.consultation import ConsultIndex, changed_since, consult_index, data_version, index_moment
from ipas.duplication.engine.corpus import check_activity, load_corpus, organisation_labels
from ipas.duplication.engine.corpus_model import Corpus, Groups
from ipas.duplication.engine.fingerprints import fingerprint, material_changes
from ipas.duplication.engine.highlighting import highlight
from ipas.duplication.engine.material import material_fields
from ipas.duplication.engine.pairs import Pair, find_pairs
from ipas.duplication.engine.text import VOCABULARY, Vocabulary
from ipas.duplication.engine.tuning import (
    CONCEPT_DESCRIPTION_MAX_LENGTH,
    FLAG_THRESHOLD,
    OTHER_PILLAR_FACTOR,
    WORTH_A_LOOK,
)
from ipas.duplication.engine.vectors import FeatureSpace, WordWeights, vectorize

__all__ = [
    "CONCEPT_DESCRIPTION_MAX_LENGTH",
    "FLAG_THRESHOLD",
    "OTHER_PILLAR_FACTOR",
    "VOCABULARY",
    "WORTH_A_LOOK",
    "Concept",
    "ConsultIndex",
    "Corpus",
    "FeatureSpace",
    "Groups",
    "Match",
    "Pair",
    "Vocabulary",
    "WordWeights",
    "changed_since",
    "check_activity",
    "consult_index",
    "data_version",
    "find_pairs",
    "fingerprint",
    "highlight",
    "index_moment",
    "load_corpus",
    "material_changes",
    "material_fields",
    "organisation_labels",
    "score_concept",
    "suggest_objectives",
    "vectorize",
]
