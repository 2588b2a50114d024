"""Commission (佣金): the lines each premium payment earns and each lapse or
cancellation claws back (:mod:`.lines`), the rules, the carriers'
statements reconciled against the lines, and the agents' monthly
statements."""
