"""What the hospital JSON API answers and reads, a module per resource."""
