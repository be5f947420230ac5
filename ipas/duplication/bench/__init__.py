"""The duplication benchmark (`manage.py bench_duplicates`): synthetic activities with planted duplicates, loaded
into a database of its own, and the figures of a full run and of consultations on them.

- `words.json`: the word lists the activities are made of (`words` names them);
- `generator`: the synthetic activities and their planted pairs (pure: no Django, no database);
- `load`: the synthetic world written into the (throwaway) database;
- `measure`: the full runs, each in a fresh process, and the consultations, timed; the figures.

The data is built to be honest, not easy:
- base activities combine a format, a topic (with its own words), an audience, places and institutions of
  the region, numbers and dates, so unrelated activities share topic words as real ones do;
- planted duplicates are reworded, never copied: synonyms (a table the engine does not know), sentences
  reordered, dropped and added, words dropped, typos; another donor (sometimes the same: a double entry);
  counts (participants, modules) changed; dates shifted; a different but overlapping set of beneficiaries;
- planted hard non-duplicates say the same thing for other beneficiaries or another period.
"""
