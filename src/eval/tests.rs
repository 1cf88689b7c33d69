//! Evaluator unit tests: a playbook and rows given as text.
