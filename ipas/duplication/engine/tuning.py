"""The engine's thresholds and limits, in one place (pure: no database).

The scores' thresholds and weights were measured with `manage.py bench_duplicates` (see the README); a change
here changes which pairs are flagged, so measure again before changing one.
"""

# --- Scores and rules ---------------------------------------------------------------------------------

#: A pair is flagged from this text similarity on (0-1), when the rules (beneficiary, period) also hold.
FLAG_THRESHOLD = 0.62
#: Consultation: from this score on a match is shown as worth a look (below the flag threshold).
WORTH_A_LOOK = 0.4
#: Two activities filed under pillars with none in common are less likely the same work: their score is
#: multiplied by this (an activity may name several pillars; one without any is not judged on this rule).
OTHER_PILLAR_FACTOR = 0.92
#: Cosine floor for a pair to be re-scored exactly.
CANDIDATE_COSINE = 0.1
#: Candidates meet on words found in at most this share of activities (or DF_CAP_MIN activities).
DF_CAP_SHARE = 0.005
DF_CAP_MIN = 200
#: Described pairs below this description cosine are not scored further.
DESCRIPTION_COSINE_FLOOR = 0.25
#: Rows per sparse product.
CHUNK_ROWS = 5000
#: Share of the text score that comes from the title when both descriptions exist.
TITLE_WEIGHT = 0.35

# --- Features -----------------------------------------------------------------------------------------

#: Columns stem bigrams are hashed into (the stems' own columns follow them).
BIGRAM_BUCKETS = 1 << 20
#: Stems that only consultations brought (`learn=False`) are learnt up to this many per process; beyond it
#: every new one reads as one unknown word, so a stream of invented words cannot grow a web worker's memory.
QUERY_STEMS = 50_000

# --- Consultation -------------------------------------------------------------------------------------

#: Consultation: how many neighbours the index returns before visibility and exact scoring.
CONSULT_CANDIDATES = 40
CONCEPT_DESCRIPTION_MAX_LENGTH = 10_000  # a concept note of a few pages; longer text only slows the search
#: Consultation: past this many activities changed since the index was built in full, it is built again
#: (seconds at 100,000 activities) instead of being patched (milliseconds).
CONSULT_REBUILD_AFTER = 2000

# --- Highlighting -------------------------------------------------------------------------------------

#: Words apart (stop words not counted) that still make one passage: reworded text inserts a word or swaps two.
PASSAGE_WINDOW = 2
