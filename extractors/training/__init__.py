"""``kg train``: rebuild every shipped model from the annotations in ``bench/annotations/``."""
