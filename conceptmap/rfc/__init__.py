"""From a map to a review: the analysis, the checks and the RFC drafts built on it."""
