"""The plugin's rules: :mod:`.conditions` (what a segment may ask and the
SQL it becomes), :mod:`.segments` (saving segments, their members),
:mod:`.surveys` (surveys, invitations, answers, results)."""
