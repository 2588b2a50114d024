"""What the insurance JSON API answers and reads, a module per resource."""
