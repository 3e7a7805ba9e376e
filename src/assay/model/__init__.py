"""Types and pure semantics shared by every layer: objects, rows, merge rules, domain errors."""
