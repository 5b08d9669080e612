"""Benchmark `integrity` (issue 13): evidence integrity, both detectors in one run.

- `_integrity_photo`: reused photos. Recall and false flags on the labelled corpus of
  _photo_corpus.py, fingerprint() time, and one lookup among 1,000,000 stored prints
  (target < 50 ms).
- `_integrity_text`: copied summaries. Recall and false flags on the corpus of _text_corpus.py,
  and one lookup among 200,000 stored prints (target < 100 ms).

Each lookup is printed with its ratio to a floor measured in the same run and database: one
indexed primary-key lookup. benchmarks/README.md describes both and what they measured.

    .venv/bin/python benchmarks/run.py integrity
"""

import _integrity_photo
import _integrity_text


def main() -> int:
    """Both benchmarks, photos first; 0 when both measured, 1 when either errored."""
    return max(_integrity_photo.main(), _integrity_text.main())
