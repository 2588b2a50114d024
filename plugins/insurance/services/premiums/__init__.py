"""Premiums (保费): a term's instalment schedule, the payments against it,
the nightly arrears job (grace → lapse) and reinstatement (复效)."""
