"""Business rules. Each public function is one transaction and fires its
domain events after commit (see :mod:`core.events`)."""
