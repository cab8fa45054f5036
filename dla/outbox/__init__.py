"""The outbox: reminder rules, planned notification rows, and the sweep that sends them once.

The pipeline, in order (one module each):

1. rules (`rules.py`: names, subjects, keys, sending days, the `Candidate` a rule makes;
   `step_rules.py`, `rhythm_rules.py`, `digest.py`: the rules themselves, read from a case's
   state built by `state.py` and `people.py`);
2. candidates (`candidates.py`: every notification a case warrants on a day);
3. plan (`plan.py`: the cases to plan, all or only those whose plan may have changed,
   `caseplans.py` and `validity.py`; `write.py`: candidates → rows, bulk `INSERT … ON
   CONFLICT DO NOTHING`, idempotent, each warranted row confirmed up to its last day);
4. claim (`claim.py`: the due rows, leased in real time);
5. check (`check.py`: each claimed row still warranted by today's state);
6. send (`sweep.py`, `sending.py`: build each message, hand it to the transport);
7. record (`record.py`: the verdicts and their timeline events, fenced by the attempt).

`days.py` runs one day of it (plan, then sweep), a dry run, and a replay along past dates.
"""
