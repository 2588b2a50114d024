"""The insurance plugin's rules: :mod:`.states` (the policy's and the
claim's state tables). The services of the catalogue, parties, policies,
premiums, claims, commission and reports build on them."""
