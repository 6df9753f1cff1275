"""Online tuning of solver parameters from observed costs (policies and the ask/tell Tuner)."""
