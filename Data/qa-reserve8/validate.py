#!/usr/bin/env python3
"""Build and validate the eighth reserved QA set with the first one's checker
(../qa-reserve/validate.py): the same span, id and family checks, and no question text equal to
a dev, test, fresh or earlier reserve family's question.

  python3 validate.py --merge   joins parts/*.squad.json (sorted by name) into squad-reserve8.json
  python3 validate.py           checks squad-reserve8.json and the families
  python3 validate.py --half a  checks one writer's half alone (parts/reserve8-a.squad.json and
                                paraphrase-families-reserve8-a.jsonl), through a temporary merge

Standard library only. Exit status 0 when every check passes, 1 otherwise.
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

if __name__ == "__main__":
    spec = importlib.util.spec_from_file_location("reserve_validate", os.path.join(HERE, "..", "qa-reserve", "validate.py"))
    first = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(first)
    sys.exit(first.main_for_later_set(HERE, "reserve8", ("qa-test", "qa-fresh", "qa-reserve", "qa-reserve2", "qa-reserve3", "qa-reserve4", "qa-reserve5", "qa-reserve6", "qa-reserve7")))
